"""A minimal reproduction of Dagster's per-partition cost on the embedded SQLite storage.

No project code in the run: one daily-partitioned asset with one unpartitioned asset check,
materialized over a range of ``--partitions`` days in ONE run (``execute_in_process`` with
the range tags, as a single-run backfill does), in a fresh ``DAGSTER_HOME`` per variant
(each in its own process):

``default``         Dagster 1.13's ``DagsterSqliteStorage``, no options
``batch``           ``DAGSTER_EVENT_BATCH_SIZE=10000`` (Dagster hands batches to the storage;
                    the SQLite storage still writes them event by event)
``planned_subset``  ``DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS=1``
``project``         the project's storage (``orchestration.dagster_storage``: batches in one
                    transaction, one planned row per check), batch size 10000

Prints per variant: seconds for creating the run and for the whole run, the events stored,
the ``asset_check_executions`` rows by status, and the size of the instance on disk. The
upstream findings it shows: a batch is stored event by event on SQLite (``batch`` is no
faster than ``default``); an unpartitioned check on a time-window partitioned asset gets
one ``PLANNED`` row per partition of the range, each holding the whole serialized planned
event, and none of them is ever completed (its evaluation adds one more row).

With ``--metadata`` the asset also calls ``context.add_asset_metadata(...,
partition_key=key)`` for each partition (the public way to give each partition of a range
its own metadata) and reports the seconds of that loop: it grows with the square of the
partitions (each call lists the range's keys and copies every partition's metadata so far).

``python -m bench.dagster_repro --partitions 500 [--metadata] [--variants default,project]``
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VARIANTS = ("default", "batch", "planned_subset", "project")
START = "2020-01-01"


def _instance_bytes(home: Path) -> int:
    return sum(p.stat().st_size for p in home.rglob("*") if p.is_file())


def _utc_seconds(stamp: str) -> float:
    from datetime import UTC, datetime

    return datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp()


def child(variant: str, partitions: int, home: Path, metadata: bool = False) -> dict:
    """One variant in this process (the environment is set by the parent)."""
    if variant == "project":
        (home / "dagster.yaml").write_text(
            "storage:\n  custom:\n    module: orchestration.dagster_storage\n"
            "    class: BellwetherSqliteStorage\n    config:\n      base_dir:\n"
            "        env: DAGSTER_HOME\n"
        )
    import dagster as dg
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    timings: dict = {}
    parts = dg.DailyPartitionsDefinition(start_date=START)
    keys = parts.get_partition_keys()[:partitions]

    @dg.asset(
        partitions_def=parts,
        backfill_policy=dg.BackfillPolicy.single_run(),
        check_specs=[dg.AssetCheckSpec("rows_ok", asset="bars")],
    )
    def bars(context):
        if metadata:  # Dagster's public per-partition metadata call, once per partition
            t = time.perf_counter()
            for key in context.partition_keys:
                context.add_asset_metadata({"session": key}, partition_key=key)
            timings["add_asset_metadata_s"] = round(time.perf_counter() - t, 2)
        yield dg.MaterializeResult(metadata={"rows": len(context.partition_keys)})
        yield dg.AssetCheckResult(check_name="rows_ok", passed=True)

    job = dg.Definitions(assets=[bars], jobs=[dg.define_asset_job("j", [bars])]).resolve_job_def(
        "j"
    )
    with dg.DagsterInstance.get() as instance:
        t0, wall0 = time.perf_counter(), time.time()
        result = job.execute_in_process(
            instance=instance,
            tags={
                ASSET_PARTITION_RANGE_START_TAG: keys[0],
                ASSET_PARTITION_RANGE_END_TAG: keys[-1],
            },
        )
        seconds = time.perf_counter() - t0
        materialized = instance.get_materialized_partitions(dg.AssetKey("bars"))
    con = sqlite3.connect(home / "history" / "runs" / "index.db")
    try:
        # the run is created (and its planned events stored) before it starts
        started = con.execute(
            "select min(timestamp) from event_logs where dagster_event_type = 'PIPELINE_START'"
        ).fetchone()[0]
        kinds = dict(
            con.execute("select dagster_event_type, count(*) from event_logs group by 1").fetchall()
        )
        checks = dict(
            con.execute(
                "select execution_status, count(*) from asset_check_executions group by 1"
            ).fetchall()
        )
    finally:
        con.close()
    return {
        "variant": variant,
        "success": result.success,
        "partitions": len(keys),
        "create_run_s": round(_utc_seconds(started) - wall0, 2),
        "run_s": round(seconds, 2),
        "materialized_partitions": len(materialized),
        "events": kinds,
        "check_rows": checks,
        "instance_mb": round(_instance_bytes(home) / 2**20, 1),
        **timings,
    }


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.dagster_repro")
    p.add_argument("--partitions", type=int, default=500)
    p.add_argument("--variants", default=",".join(VARIANTS))
    p.add_argument(
        "--metadata", action="store_true", help="add metadata to every partition (timed)"
    )
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--home", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        print(json.dumps(child(a.child, a.partitions, Path(a.home), a.metadata)))
        return 0
    for variant in a.variants.split(","):
        with tempfile.TemporaryDirectory(prefix="dagster-repro-") as home:
            env = {**os.environ, "DAGSTER_HOME": home, "PYTHONWARNINGS": "ignore"}
            for name in (
                "DAGSTER_EVENT_BATCH_SIZE",
                "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS",
            ):
                env.pop(name, None)
            if variant in ("batch", "project"):
                env["DAGSTER_EVENT_BATCH_SIZE"] = "10000"
            if variant == "planned_subset":
                env["DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"] = "1"
            out = subprocess.run(
                [sys.executable, "-m", "bench.dagster_repro", "--child", variant,
                 "--partitions", str(a.partitions), "--home", home,
                 *(["--metadata"] if a.metadata else [])],
                env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
            print(out.stdout.strip().splitlines()[-1], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
