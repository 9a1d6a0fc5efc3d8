"""What publishing costs after the benchmark's daily run, on a real history.

    python -m bench.publish_daily HISTORY WORKDIR [--no-actions]

``HISTORY``: a warehouse the bench harness built (``<workdir>/warehouses/3000x25y.duckdb``).
In a copy of it under ``WORKDIR`` (which must not exist), the same set-up as the daily case
of :mod:`bench.cases`: the history on the basis of its last session (a Yahoo backfill);
its change logs stamped as one run's. Then:

1. a full publish (the first one; ``keep=2``);
2. a publish with nothing new: "copy" (a file copy of the current generation);
3. a publish with nothing new, in place: the cost every publish pays whatever the run;
4. the benchmark's daily run (2026-01-02, bare, with its checks), fed as Yahoo feeds it:
   its dividends and split re-base those tickers' whole history (``--no-actions``: the
   day's actions dropped);
5. its publish, in place.

Prints each step's method, whole sessions copied and seconds. Results and commands:
``bench/ANALYSIS.md`` (in ``docs/BENCHMARKS.md``).
"""

from __future__ import annotations

import argparse
import shutil
import time
from datetime import date
from pathlib import Path

#: the benchmark's daily session (the first after the histories' last, 2025-12-31)
DAY = date(2026, 1, 2)
#: change logs whose rows the history's runs wrote (no run id in a bare backfill)
_LOGS = ("raw.ingest_runs", "dq.check_results", "raw.rebasings", "marts.rebuild_log")


def stamp_history_run(path: Path, run_id: str) -> None:
    """The history's change-log rows named as run ``run_id``'s (the bare backfill wrote
    them without one), so that the first publish, as that run's, leaves them behind."""
    import duckdb

    from bellwether.sqlfiles import load_sql

    con = duckdb.connect(str(path))
    try:
        for table in _LOGS:
            con.execute(load_sql(f"bench/name_run_{table.split('.')[1]}"), [run_id])
    finally:
        con.close()


def measure(
    history: Path, workdir: Path, n_symbols: int, actions: bool = True, say=print
) -> dict[str, float | int | None]:
    """The five steps of the module doc in ``workdir`` (which must not exist): seconds of
    each (``full_s``, ``copy_s``, ``in_place_s``, ``daily_run_s``, ``daily_publish_s``) and
    the whole sessions the last publish copied (``daily_publish_sessions``)."""
    from bellwether.publish import publish
    from bellwether.warehouse import Warehouse
    from bench.cases import _as_if_backfilled_on_its_last_day, _daily_source, bare_pipeline

    workdir.mkdir(parents=True)
    writer = workdir / "writer" / "warehouse.duckdb"
    writer.parent.mkdir()
    shutil.copy(history, writer)
    _as_if_backfilled_on_its_last_day(writer)
    stamp_history_run(writer, "history")
    wh = Warehouse(writer)
    with wh.connect():  # this code's schema, as the run before the first publish applied it
        pass
    published = workdir / "warehouse.duckdb"
    out: dict[str, float | int | None] = {}

    def step(key: str, label: str, run_id: str, sessions: list[date], full: bool = False):
        t0 = time.perf_counter()
        state = publish(wh, run_id, sessions, published=published, full=full, keep=2)
        out[key] = time.perf_counter() - t0
        say(f"{label}: {state.method}, whole sessions copied {state.delta_sessions}, "
            f"{out[key]:.1f} s")  # fmt: skip
        return state

    step("full_s", "1 first publish", "history", [], full=True)
    step("copy_s", "2 nothing new", "history", [])
    step("in_place_s", "3 nothing new, in place", "history", [])
    source = _daily_source(n_symbols, actions, True)
    t0 = time.perf_counter()
    bare_pipeline(wh, source, source.universe, DAY, DAY, workdir / "archive")
    out["daily_run_s"] = time.perf_counter() - t0
    say(f"4 the daily run of {DAY}: {out['daily_run_s']:.1f} s")
    state = step("daily_publish_s", "5 its publish", "daily", [DAY])
    out["daily_publish_sessions"] = state.delta_sessions
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.publish_daily", description=__doc__)
    parser.add_argument("history", type=Path)
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--no-actions", action="store_true")
    parser.add_argument("--symbols", type=int, default=3000)
    args = parser.parse_args(argv)
    if args.workdir.exists():
        parser.error(f"{args.workdir} exists")
    measure(args.history, args.workdir, args.symbols, not args.no_actions,
            say=lambda line: print(line, flush=True))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
