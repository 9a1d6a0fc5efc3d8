"""Concurrent runs on overlapping ranges and a schedule double-fire: one writer at a time,
no lock failure, no duplicate, every check recorded, and the marts equal a full recompute.

* Dagster: three ``dagster asset materialize`` processes of ``raw/daily_bars`` started
  together against one warehouse and one Dagster instance (initialised once beforehand,
  with the project's ``dagster.yaml``): a backfill of 2025-12-01..2025-12-05 and the
  scheduled run of 2025-12-05 fired twice. Every step that writes DuckDB is in the pool
  ``duckdb_writer`` (limit 1): the event logs show no two such steps overlapping, and the
  warehouse lock retry covers whatever else touches the file. (A run waiting for the slot
  busy-polls a CPU core in Dagster 1.13, so the marts are left to the bare test.)
* Bare pipelines (no Dagster, the lock retry alone): three processes landing and building
  2025-11-17..2025-12-05, 2025-12-01..2025-12-05 and 2025-12-05 at once.

The ranges end on the same session, as a backfill to today and the day's scheduled run
do: whatever order their steps take, the widest run rebuilds every session the others
built. Ranges that end on different sessions can leave later marts computed on a history
that arrived afterwards; that limitation, and its remedy, are pinned by the last test.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from bellwether.pipeline import run_pipeline
from bellwether.warehouse import Warehouse
from tests.faults_support import (
    NOW,
    ROOT,
    assert_equals_full_recompute,
    child_env,
    duplicate_keys,
    expected_checks,
    files_source,
    missing_checks,
    read_table,
    sample_bars,
    small_universe,
    start_child_run,
    write_files_source,
)

pytestmark = pytest.mark.slow

DAGSTER_SELECTION = "raw/daily_bars"
DAGSTER_RUNS = [
    ["--partition-range", "2025-12-01...2025-12-05"],  # a backfill
    ["--partition", "2025-12-05"],  # the scheduled run ...
    ["--partition", "2025-12-05"],  # ... fired twice
]


@pytest.fixture
def dagster_env(tmp_path, monkeypatch) -> dict[str, str]:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((ROOT / "dagster_home" / "dagster.yaml").read_text())
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # the project storage's base_dir reads it
    with dg.DagsterInstance.from_config(str(home)):
        pass  # creates the instance's storage once, before the runs race for it
    return {
        **child_env(),
        "HOME": str(tmp_path),
        "DAGSTER_HOME": str(home),
        "BELLWETHER_SOURCE": "bundled",
        "BELLWETHER_WAREHOUSE": str(tmp_path / "wh.duckdb"),
        "BELLWETHER_ARCHIVE": str(tmp_path / "archive"),
        "BELLWETHER_REPORTS": str(tmp_path / "reports"),
    }


def writer_steps(instance: dg.DagsterInstance) -> list[tuple[float, float, str, str]]:
    """(start, end, run, step) of every finished step of every run."""
    out = []
    for run in instance.get_runs():
        starts = {}
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type_value == "STEP_START":
                starts[event.step_key] = entry.timestamp
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
                out.append((starts[event.step_key], entry.timestamp, run.run_id, event.step_key))
    return sorted(out)


def test_concurrent_dagster_runs_and_a_double_fire_all_succeed_one_writer_at_a_time(dagster_env):
    dagster = str(Path(sys.executable).parent / "dagster")
    command = [dagster, "asset", "materialize", "-m", "orchestration.definitions", "--select",
               DAGSTER_SELECTION]  # fmt: skip
    procs = [
        subprocess.Popen(
            [*command, *args],
            cwd=ROOT,
            env=dagster_env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for args in DAGSTER_RUNS
    ]
    outputs = [p.communicate(timeout=900)[0] for p in procs]
    for proc, out in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, out[-3000:]

    with dg.DagsterInstance.from_config(dagster_env["DAGSTER_HOME"]) as instance:
        runs = instance.get_runs()
        assert len(runs) == 3 and {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}
        steps = writer_steps(instance)
        assert len(steps) == 3
        for (_, end, run, step), (start, _, other, other_step) in itertools.pairwise(steps):
            assert end <= start, f"{run}/{step} overlapped {other}/{other_step}"
        slots = instance.event_log_storage.get_concurrency_info("duckdb_writer")
        assert slots.slot_count == 1 and not slots.claimed_slots  # every slot given back

    wh = Warehouse(dagster_env["BELLWETHER_WAREHOUSE"])
    landings = read_table(wh, "raw.ingest_runs")
    assert landings["status"].to_list() == ["succeeded"] * 3
    sessions = sorted(read_table(wh, "raw.daily_bars")["session_date"].unique().to_list())
    assert sessions == [date(2025, 12, d) for d in (1, 2, 3, 4, 5)]
    assert duplicate_keys(wh) == {}
    recorded = read_table(wh, "dq.check_results").filter(pl.col("asset") == "raw/daily_bars")
    for session in sessions:
        got = set(recorded.filter(pl.col("session_date") == session)["check"])
        assert expected_checks(use_gx=True)["raw/daily_bars"] <= got, session


@pytest.fixture(scope="module")
def source_folder(tmp_path_factory) -> Path:
    bars = sample_bars(small_universe().symbols, date(2025, 11, 3), date(2025, 12, 9))
    return write_files_source(tmp_path_factory.mktemp("concurrent") / "src", bars)


def test_concurrent_bare_pipelines_on_overlapping_ranges_rely_on_the_lock_retry(
    source_folder, tmp_path
):
    path = tmp_path / "wh.duckdb"
    ranges = [(date(2025, 11, 17), date(2025, 12, 5)), (date(2025, 12, 1), date(2025, 12, 5)),
              (date(2025, 12, 5), date(2025, 12, 5))]  # fmt: skip
    children = [start_child_run(path, source_folder, first, last) for first, last in ranges]
    for child in children:
        _, err = child.communicate(timeout=900)
        assert child.returncode == 0, err[-3000:]
    wh = Warehouse(path)
    assert read_table(wh, "raw.ingest_runs")["status"].to_list() == ["succeeded"] * 3
    assert duplicate_keys(wh) == {}
    assert missing_checks(wh, use_gx=False) == []
    assert_equals_full_recompute(wh, small_universe(), tmp_path / "recompute")


def test_an_earlier_range_landed_after_a_later_one_rebuilds_the_later_marts_in_the_same_run(
    source_folder, tmp_path
):
    """The any-order rule (bellwether/invalidation.py): landing sessions earlier than ones
    whose marts are built rebuilds every later row that depends on them in the same run,
    so the warehouse equals one full build without any manual rebuild."""
    wh = Warehouse(tmp_path / "wh.duckdb")
    source = files_source(source_folder)
    run_pipeline(wh, source, small_universe(), date(2025, 12, 1), date(2025, 12, 9), now=NOW,
                 use_gx=False)  # fmt: skip
    run_pipeline(wh, source, small_universe(), date(2025, 11, 3), date(2025, 12, 3), now=NOW,
                 use_gx=False)  # fmt: skip
    assert_equals_full_recompute(wh, small_universe(), tmp_path / "recompute")
    assert read_table(wh, "marts.pending_rebuilds").height == 0
    log = read_table(wh, "marts.rebuild_log").filter(pl.col("reason") != "requested")
    # the second run rebuilt the marts of 2025-12-04..09 because earlier bars arrived
    assert log.filter(pl.col("last_session") == date(2025, 12, 9)).height >= 6
