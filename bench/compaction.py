"""What rows out of session order cost the named queries, and what compacting them costs.

    python -m bench.compaction HISTORY WORKDIR [--rebased 250] [--repeats 7]

``HISTORY``: a warehouse the bench harness built (``<workdir>/warehouses/3000x25y.duckdb``).
In a copy of it under ``WORKDIR`` (which must not exist):

1. ``--rebased`` tickers' histories re-written as a split's re-basing writes them (a year of
   splits at 3,000 stocks is about 250): each ticker's rows of every per-ticker mart that a
   re-basing rebuilds from its first bar (``marts.daily_returns``, ``streaks``,
   ``technicals``, ``streak_since``, ``close_records``) deleted and appended again, one
   transaction per ticker, as the build writes them (``raw.daily_bars``, which a split now
   re-bases the same way, is left as built). The same rows, moved;
2. a full publish (``keep=3``) as the run that wrote the history (its change logs stamped
   with that run, as in :mod:`bench.publish_daily`; else each publish would copy the last
   landing's sessions again): the published generation has the writer's layout;
3. every named query (the parameters of ``bench.cases.query_params``), cold then the median
   of ``--repeats`` warm runs;
4. ``bellwether compact --no-publish`` in a child process: seconds and peak memory;
5. the named queries again;
6. three publishes (each generation of ``keep=3`` once: two copies of the current one, one
   in place), then one with nothing new.

Prints a JSON document of every step (``WORKDIR/compaction.json`` too). Results and command:
``bench/ANALYSIS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

#: the marts a re-basing rebuilds from the ticker's first bar, deleted and appended
REBUILT = (
    "marts.daily_returns_stored",
    "marts.streaks",
    "marts.technicals",
    "marts.streak_since",
    "marts.close_records",
)
AS_OF, START = date(2025, 12, 31), date(2025, 1, 1)


def _rebase(path: Path, n: int, say) -> float:
    import duckdb

    from bellwether.sqlfiles import load_sql

    con = duckdb.connect(str(path))
    try:
        tickers = [
            r[0] for r in con.execute(load_sql("bench/rebased_tickers"), {"n": n}).fetchall()
        ]
        started = time.perf_counter()
        for i, ticker in enumerate(tickers):
            con.begin()
            for table in REBUILT:
                for name in ("keep_ticker_rows", "delete_ticker_rows"):
                    sql = load_sql(f"bench/{name}").replace("{table}", table)
                    con.execute(sql, {"ticker": ticker})
                con.execute(load_sql("bench/append_kept_rows").replace("{table}", table))
            con.commit()
            if i % 50 == 0:
                say(f"  re-based {i}/{len(tickers)} in {time.perf_counter() - started:.0f} s")
        con.execute("CHECKPOINT")
        return time.perf_counter() - started
    finally:
        con.close()


def _queries(path: Path, repeats: int) -> dict[str, dict]:
    from bellwether.queries import list_queries
    from bellwether.warehouse import Warehouse
    from bench.cases import query_params, time_query

    out = {}
    with Warehouse(path).connect(read_only=True) as con:
        for q in list_queries():
            params = query_params(q, "stocks", AS_OF, START)
            if params is None:
                continue
            _, cold, times = time_query(con, q.name, params, repeats)
            out[q.name] = {
                "cold_ms": round(cold * 1e3, 1),
                "warm_ms": round(statistics.median(times) * 1e3, 1),
            }
    return out


def _layouts(path: Path) -> dict[str, float]:
    import duckdb

    from bellwether.compaction import layout, session_tables

    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: round(layout(con, t).scan_factor, 2) for t in session_tables(con)}
    finally:
        con.close()


def measure(history: Path, workdir: Path, rebased: int, repeats: int, say=print) -> dict:
    from bellwether.publish import publish
    from bellwether.warehouse import Warehouse
    from bench.publish_daily import stamp_history_run

    workdir.mkdir(parents=True)
    path = workdir / "writer" / "warehouse.duckdb"
    path.parent.mkdir()
    published = workdir / "published" / "warehouse.duckdb"
    say(f"copying {history}")
    shutil.copyfile(history, path)
    wh = Warehouse(path)
    with wh.connect():  # the schema of this code, outside every clock
        pass
    stamp_history_run(path, "bench-history")
    out: dict = {"history": str(history), "rebased": rebased, "repeats": repeats}
    say(f"re-basing {rebased} tickers' histories")
    out["rebase_s"] = round(_rebase(path, rebased, say), 1)
    out["layouts_before"] = _layouts(path)
    say("full publish")
    t = time.perf_counter()
    publish(wh, "bench-history", [], published=published, keep=3)
    out["full_publish_s"] = round(time.perf_counter() - t, 1)
    say("queries before")
    out["queries_before"] = _queries(path, repeats)
    say("compaction")
    env = {**os.environ, "BELLWETHER_WAREHOUSE": str(path), "BELLWETHER_PUBLISHED": str(published)}
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "compact", "--no-publish", "--run-id", "bench"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    out["compaction_s"] = round(time.perf_counter() - t, 1)
    out["compaction_peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    )
    out["compaction_report"] = done.stdout
    out["layouts_after"] = _layouts(path)
    say("queries after")
    out["queries_after"] = _queries(path, repeats)
    publishes = []
    for i in range(4):
        t = time.perf_counter()
        state = publish(wh, f"bench-{i}", [], published=published, keep=3)
        publishes.append(
            {"generation": state.generation, "method": state.method,
             "seconds": round(time.perf_counter() - t, 1)}
        )  # fmt: skip
        say(f"  publish {i + 1}: {publishes[-1]}")
    out["publishes_after"] = publishes
    out["published_layouts"] = _layouts(published)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compaction", description=__doc__)
    parser.add_argument("history", type=Path)
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--rebased", type=int, default=250)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    out = measure(args.history, args.workdir, args.rebased, args.repeats)
    text = json.dumps(out, indent=2)
    (args.workdir / "compaction.json").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
