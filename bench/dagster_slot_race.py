"""A minimal reproduction of a race in Dagster 1.13's pool slots on the embedded SQLite storage.

``SqlEventLogStorage._claim_concurrency_slot`` selects a free ``concurrency_slots`` row
(``SELECT ... FOR UPDATE SKIP LOCKED``: SQLite drops the clause and runs the select outside
any transaction) and then updates that row by id, without requiring it still free. Two
claimants whose steps are both assigned a slot (``has_unassigned_slots`` then
``add_pending_step`` is not atomic either: runs started together all see the slot free)
both select the one free slot and are both told ``CLAIMED``: two steps run at once in a
pool of limit 1. Seen on a loaded CI machine as two runs' ``duckdb_writer`` steps
overlapping (``tests/test_faults_concurrency.py``).

No project code in the reproduction: two storages over one folder (two processes' views of
one instance), a pool of limit 1, one step of each of two runs queued as assigned, and both
claims made at once through the public ``claim_concurrency_slot``. To make the interleaving
deterministic instead of a matter of load, each claimant waits before its ``UPDATE`` of a
slot until the other has reached its own (a SQLAlchemy ``before_cursor_execute`` hook and a
barrier); whatever each read before stays read. Prints, per variant, how many of the two
claims were granted (1 is correct) and the slot's holders:

``upstream``  Dagster's ``SqliteEventLogStorage``
``project``   ``orchestration.dagster_storage.BatchingSqliteEventLogStorage`` (the claim is
              one ``UPDATE`` that requires the slot still free)

``--postgres`` runs both on a throw-away PostgreSQL server too (``dagster-postgres``'s
storage claims in the same two statements, on an ``AUTOCOMMIT`` connection).

``python -m bench.dagster_slot_race [--postgres]``
"""

from __future__ import annotations

import argparse
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

POOL = "duckdb_writer"
STEP = "raw__daily_bars"
RUNS = ("run-a", "run-b")


def storage(variant: str, base_dir: str) -> Any:
    """The event log storage of ``variant`` over ``base_dir``."""
    if variant == "upstream":
        from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
            SqliteEventLogStorage,
        )

        return SqliteEventLogStorage(base_dir)
    from orchestration.dagster_storage import BatchingSqliteEventLogStorage

    return BatchingSqliteEventLogStorage(base_dir)


def claims_at_once(
    variant: str,
    base_dir: str | None = None,
    *,
    claimants: list[Any] | None = None,
    pool: str = POOL,
) -> tuple[list[bool], int]:
    """Two runs' claims of a 1-slot pool, both already assigned, each reaching its slot
    ``UPDATE`` together: (granted per run, slots held afterwards). ``claimants``: two
    storages of one instance to use instead of ``variant``'s over ``base_dir`` (e.g. on
    PostgreSQL)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if claimants is None:
        base_dir = base_dir or tempfile.mkdtemp(prefix=f"slot-race-{variant}-")
        claimants = [storage(variant, base_dir) for _ in RUNS]  # one per process, in effect
    claimants[0].set_concurrency_slots(pool, 1)
    for st, run_id in zip(claimants, RUNS, strict=True):
        st.add_pending_step(pool, run_id, STEP, should_assign=True)
    together = threading.Barrier(len(RUNS), timeout=30)

    def before(conn, cursor, statement: str, *_: Any) -> None:
        if " ".join(statement.split()).startswith("UPDATE concurrency_slots SET run_id"):
            together.wait()

    event.listen(Engine, "before_cursor_execute", before)
    try:
        with ThreadPoolExecutor(len(RUNS)) as threads:
            granted = list(
                threads.map(
                    lambda pair: pair[0].claim_concurrency_slot(pool, pair[1], STEP).is_claimed,
                    zip(claimants, RUNS, strict=True),
                )
            )
    finally:
        event.remove(Engine, "before_cursor_execute", before)
    held = len(claimants[0].get_concurrency_info(pool).claimed_slots)
    return granted, held


def postgres_claims_at_once(variant: str, url: str, pool: str) -> tuple[list[bool], int]:
    """:func:`claims_at_once` with two PostgreSQL event log storages of the database at
    ``url``: Dagster's (``upstream``) or the project's."""
    if variant == "upstream":
        from dagster_postgres import PostgresEventLogStorage

        claimants = [PostgresEventLogStorage(url) for _ in RUNS]
    else:
        from orchestration.dagster_storage import postgres_storage_class

        claimants = [postgres_storage_class()(url).event_log_storage for _ in RUNS]
    try:
        return claims_at_once(variant, claimants=claimants, pool=pool)
    finally:
        for st in claimants:
            st.dispose()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.dagster_slot_race")
    p.add_argument("--variants", default="upstream,project")
    p.add_argument("--postgres", action="store_true",
                   help="also on a throw-away PostgreSQL server (bench.postgres_server)")  # fmt: skip
    a = p.parse_args(argv)
    runs = [(v, "sqlite", lambda v=v: claims_at_once(v)) for v in a.variants.split(",")]
    with ExitStack() as stack:
        if a.postgres:
            runs += postgres_runs(stack, a.variants.split(","))
        for variant, backend, run in runs:
            granted, held = run()
            print(f"{variant:9s} {backend:8s} claims granted for a 1-slot pool: "
                  f"{sum(granted)} of {len(granted)}; slots held afterwards: {held}")  # fmt: skip


def postgres_runs(stack: ExitStack, variants: list[str]) -> list[tuple[str, str, Any]]:
    """The PostgreSQL runs of ``variants`` on a throw-away server that ``stack`` stops."""
    from bench.postgres_server import pg_bin, postgres_server, postgres_url

    pg = stack.enter_context(postgres_server(pg_bin()))
    url = postgres_url(pg)
    return [
        (v, "postgres", lambda v=v: postgres_claims_at_once(v, url, f"pool_{v}")) for v in variants
    ]


if __name__ == "__main__":
    main()
