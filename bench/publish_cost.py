"""What publishing the warehouse costs (``bellwether.publish``), at any size, in minutes.

    python -m bench.publish_cost --symbols 1000 --years 25 --workdir /tmp/publish-cost

Generates a writer's file directly in DuckDB (the schema of ``sql/schema``, every ticker x
session table filled for N symbols over the sessions of Y years, per-session tables for
breadth, sectors and checks; random values in every column, so it compresses like real
data, not better), then publishes it: the first publish (full copy), a copy of the current generation, two
in-place updates that re-publish the last session (its rows deleted and inserted again),
and, as a daily run does, ``--new-sessions`` times (default 2): one more session appended
to the writer's file (the per-session tables' rows of the next NYSE session), published in
place. Prints each publish's method, sessions copied, seconds and the load average. The numbers of ``docs/OPERATIONS.md`` ("Readers and the
published warehouse") come from it.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date, timedelta
from pathlib import Path

from bellwether.calendar import sessions_in_range
from bellwether.publish import publish
from bellwether.warehouse import Warehouse

KEYS = ("ticker", "session_date", "benchmark", "universe", "sector", "asset", "check")


def _fill(con, table: str, keys_sql: str) -> None:
    cols = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema || '.' || table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    values = []
    for col, typ in cols:
        if col in KEYS:
            values.append(f'k."{col}"')
        elif typ == "DOUBLE":
            values.append("random() * 100")
        elif typ in ("INTEGER", "BIGINT", "TINYINT"):
            values.append(f"(random() * 10)::{typ}")
        elif typ == "DATE":  # another session column (basis_session, ...)
            values.append("k.session_date")
        elif typ == "BOOLEAN":
            values.append("random() < 0.5")
        elif typ.startswith("TIMESTAMP"):  # one stamp per session, as daily runs leave
            values.append("k.session_date::TIMESTAMPTZ + INTERVAL 23 HOUR")
        elif typ.endswith("[]"):
            values.append("[]::VARCHAR[]")
        elif col in ("severity", "scope"):
            values.append("'warn'" if col == "severity" else "'session'")
        else:
            values.append("'x'")
    con.execute(f"INSERT INTO {table} SELECT {', '.join(values)} FROM ({keys_sql}) k")


def generate(path: Path, symbols: int, years: int) -> list[date]:
    """A writer's file of ``symbols`` x the sessions of ``years`` years; its sessions."""
    sessions = sessions_in_range(date(2026 - years, 7, 1), date(2026, 6, 26))
    _fill_sessions(path, symbols, sessions)
    return sessions


def _fill_sessions(path: Path, symbols: int, sessions: list[date]) -> None:
    """Rows of ``sessions`` for ``symbols`` in every per-session table of the writer's file."""
    with Warehouse(path).connect() as con:
        con.execute("CREATE TEMP TABLE s AS SELECT unnest(?::DATE[]) AS session_date", [sessions])
        con.execute(f"CREATE TEMP TABLE t AS SELECT printf('SYN%04d', i) AS ticker FROM range({symbols}) r(i)")  # fmt: skip
        every = "SELECT ticker, session_date FROM t, s ORDER BY session_date, ticker"
        for table in (
            "raw.daily_bars_stored",
            "marts.daily_returns_stored",
            "marts.streaks",
            "marts.technicals",
        ):
            _fill(con, table, every)
        _fill(con, "marts.relative_performance", "SELECT ticker, b.benchmark, session_date FROM (SELECT * FROM t LIMIT 20), (VALUES ('^GSPC'), ('^RUT')) b(benchmark), s")  # fmt: skip
        _fill(con, "marts.sector_performance", "SELECT session_date, 'S' || i AS sector, 'XL' || i AS ticker FROM s, range(11) r(i)")  # fmt: skip
        _fill(con, "marts.breadth", "SELECT 'u' || i AS universe, session_date FROM s, range(3) r(i)")  # fmt: skip
        _fill(con, "dq.check_results", "SELECT session_date, 'a' || i AS asset, 'c' || j AS \"check\" FROM s, range(7) r(i), range(3) q(j)")  # fmt: skip
        con.execute("CHECKPOINT")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.publish_cost", description=__doc__)
    parser.add_argument("--symbols", type=int, default=100)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("bench/out/publish_cost"))
    parser.add_argument("--new-sessions", type=int, default=2)
    args = parser.parse_args(argv)
    writer = args.workdir / "writer" / "warehouse.duckdb"
    published = args.workdir / "warehouse.duckdb"
    if writer.exists() or published.exists():
        parser.error(f"{args.workdir} is not empty")
    started = time.monotonic()
    sessions = generate(writer, args.symbols, args.years)
    size = writer.stat().st_size / 1e9
    print(f"writer's file: {args.symbols} x {len(sessions)} sessions, {size:.2f} GB, "
          f"generated in {time.monotonic() - started:.1f} s")  # fmt: skip
    wh = Warehouse(writer)
    for i, run_sessions in enumerate([sessions, sessions[-1:], sessions[-1:], sessions[-1:]]):
        cpu = time.process_time()
        state = publish(wh, f"bench-{i + 1}", run_sessions, published=published, keep=2)
        _report(state, "", time.process_time() - cpu)
    publish_new_sessions(wh, published, args.symbols, sessions[-1], args.new_sessions)
    return 0


def _report(state, what: str, cpu: float) -> None:
    print(f"publish {state.state_id}: {state.method:8} generation {state.generation}, "
          f"sessions copied {state.delta_sessions}, {state.seconds:.2f} s{what} "
          f"(CPU {cpu:.2f} s), load average {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip


def publish_new_sessions(wh: Warehouse, published: Path, symbols: int, last: date, n: int) -> None:
    """``n`` times: the next session after ``last`` appended to the writer's file and
    published (in place), as after a daily run."""
    for _ in range(n):
        last = sessions_in_range(last + timedelta(days=1), last + timedelta(days=10))[0]
        _fill_sessions(wh.path, symbols, [last])
        cpu = time.process_time()
        state = publish(wh, f"bench-{last}", [last], published=published, keep=2)
        _report(state, f" (new session {last})", time.process_time() - cpu)


if __name__ == "__main__":
    raise SystemExit(main())
