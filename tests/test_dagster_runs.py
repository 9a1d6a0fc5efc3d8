"""Landing and marts through Dagster: a range is one run, re-materializing is idempotent."""

import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from bellwether.registry import MARTS
from orchestration.definitions import all_assets, defs
from orchestration.resources import BarSourceResource, WarehouseResource
from orchestration.schedules import RANGE_END_TAG, RANGE_START_TAG

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def resources(tmp_path):
    return {
        "warehouse": WarehouseResource(
            path=str(tmp_path / "wh.duckdb"), archive_dir=str(tmp_path / "archive")
        ),
        "source": BarSourceResource(kind="bundled"),
    }


def materialize_range(resources, instance, start, end):
    return dg.materialize(
        all_assets,
        resources=resources,
        instance=instance,
        tags={RANGE_START_TAG: start, RANGE_END_TAG: end},
    )


def count(resources, sql):
    with resources["warehouse"].get().connect(read_only=True) as con:
        return con.sql(sql).fetchall()[0][0]


def test_the_definitions_load_with_every_asset():
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"raw/daily_bars", "marts/daily_returns", "marts/streaks", "marts/relative_performance",
            "marts/technicals", "marts/breadth", "marts/sector_performance"} <= keys  # fmt: skip


def test_a_range_backfill_is_one_run_with_a_materialization_per_session(resources):
    with dg.instance_for_test() as instance:
        result = materialize_range(resources, instance, "2025-12-02", "2025-12-09")
        assert result.success
        assert len(instance.get_runs()) == 1
        mats = result.asset_materializations_for_node("raw__daily_bars")
        assert sorted(m.partition for m in mats) == [
            "2025-12-02", "2025-12-03", "2025-12-04", "2025-12-05", "2025-12-08", "2025-12-09",
        ]  # fmt: skip
        # the preview of the last session and the run's figures are on that partition's
        # event only, not copied into every partition's materialization
        for node in ("raw__daily_bars", "marts__breadth"):
            by_partition = {
                m.partition: m.metadata for m in result.asset_materializations_for_node(node)
            }
            previews = sorted(
                p for p, md in by_partition.items() if any(k.startswith("preview") for k in md)
            )
            assert previews == ["2025-12-09"], (node, previews)
            run_figures = sorted(p for p, md in by_partition.items() if "run: last_session" in md)
            assert run_figures == ["2025-12-09"], (node, run_figures)
        # each partition's row count is its session's rows, and nothing else is repeated per
        # partition; the run's last partition carries the table's total, labelled so
        tables = {"raw__daily_bars": "raw.daily_bars", "quality__check_results": "dq.check_results"}
        tables |= {f"marts__{m}": f"marts.{m}" for m in MARTS}  # every table the query counts
        for node, table in tables.items():
            for m in result.asset_materializations_for_node(node):
                rows = count(
                    resources, f"select count(*) from {table} where session_date = '{m.partition}'"
                )
                assert m.metadata["dagster/row_count"].value == rows, (node, m.partition)
                if m.partition != "2025-12-09":
                    assert set(m.metadata) == {"dagster/row_count"}, (node, m.partition)
                else:
                    total = count(resources, f"select count(*) from {table}")
                    assert m.metadata["table: total rows"].value == total
        # each brief's partition describes its own brief; the last one carries its text
        briefs = {
            m.partition: m.metadata
            for m in result.asset_materializations_for_node("reports__market_brief")
        }
        assert all(md["session"].value == p and "status" in md for p, md in briefs.items())
        assert sorted(p for p, md in briefs.items() if "markdown" in md) == ["2025-12-09"]
    assert count(resources, "select count(distinct session_date) from raw.daily_bars") == 6
    assert count(resources, "select count(distinct session_date) from marts.technicals") == 6


def test_a_range_without_breadth_members_builds_on_a_new_warehouse(resources):
    """The bundled sample's constituents start in June 2025: a range before it, built first
    on a new warehouse (index and ETF history only), gives breadth no row. Its step failed
    (the blocking ``recompute`` check had no result, and Dagster read the returned
    MaterializeResult as a tuple of outputs); now every check reports, breadth's
    ``recompute`` that the stored rows (none) equal their recompute (none)."""
    with dg.instance_for_test() as instance:
        result = materialize_range(resources, instance, "2024-03-01", "2024-03-05")
        assert result.success
        checks = {
            (e.asset_key.to_user_string(), e.check_name): e.passed
            for e in result.get_asset_check_evaluations()
        }
    assert checks[("marts/breadth", "recompute")] is True
    assert count(resources, "select count(*) from marts.breadth") == 0
    assert count(resources, "select count(distinct session_date) from marts.daily_returns") == 3


def test_rematerializing_a_session_replaces_it_without_duplicates(resources):
    with dg.instance_for_test() as instance:
        assert materialize_range(resources, instance, "2025-12-02", "2025-12-05").success
        before = count(resources, "select count(*) from raw.daily_bars")
        result = dg.materialize(
            all_assets, resources=resources, instance=instance, partition_key="2025-12-04"
        )
        assert result.success
    assert count(resources, "select count(*) from raw.daily_bars") == before
    for table in ("raw.daily_bars", "marts.daily_returns", "marts.streaks", "marts.technicals"):
        dups = count(
            resources,
            f"select count(*) from (select ticker, session_date from {table} group by all having count(*) > 1)",
        )
        assert dups == 0, table
    assert count(resources, "select count(*) from raw.ingest_runs") == 2


def test_dagster_validates_the_workspace_and_the_cli_backfills_a_range_in_one_run(
    tmp_path, monkeypatch
):
    env = {
        "PATH": str(Path(sys.executable).parent),
        "HOME": str(tmp_path),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "BELLWETHER_SOURCE": "bundled",
        "BELLWETHER_WAREHOUSE": str(tmp_path / "wh.duckdb"),
        "BELLWETHER_ARCHIVE": str(tmp_path / "archive"),
    }
    (tmp_path / "dagster_home").mkdir()
    (tmp_path / "dagster_home" / "dagster.yaml").write_text(
        (ROOT / "dagster_home" / "dagster.yaml").read_text()
    )
    dagster = str(Path(sys.executable).parent / "dagster")
    validate = subprocess.run(
        [dagster, "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert validate.returncode == 0, validate.stderr[-2000:]
    run = subprocess.run(
        [dagster, "asset", "materialize", "-m", "orchestration.definitions", "--select", "raw/daily_bars",
         "--partition-range", "2025-07-01...2025-07-07"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    # the project's dagster.yaml places its storage under $DAGSTER_HOME, as `make` sets it
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        assert len(instance.get_runs()) == 1
    import duckdb

    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    sessions = [
        r[0].isoformat()
        for r in con.sql("select distinct session_date from raw.daily_bars order by 1").fetchall()
    ]
    assert sessions == [
        "2025-07-01",
        "2025-07-02",
        "2025-07-03",
        "2025-07-07",
    ]  # 07-04 holiday, 07-03 half day


def test_no_check_is_partitioned_as_the_project_storage_assumes():
    """orchestration.dagster_storage stores one planned row per check and run: right only for
    unpartitioned checks (each range run records a check once)."""
    graph = defs.resolve_asset_graph()
    assert graph.asset_check_keys
    assert all(graph.get(k).partitions_def is None for k in graph.asset_check_keys)


def test_the_project_storage_records_every_session_and_every_check_of_a_range_run(
    resources, tmp_path, monkeypatch
):
    from dagster import DagsterEventType
    from dagster._core.storage.asset_check_execution_record import (
        AssetCheckExecutionRecordStatus,
    )

    from orchestration.dagster_storage import BatchingSqliteEventLogStorage

    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((ROOT / "dagster_home" / "dagster.yaml").read_text())
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "10000")
    sessions = {"2025-12-02", "2025-12-03", "2025-12-04", "2025-12-05", "2025-12-08", "2025-12-09"}
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.event_log_storage, BatchingSqliteEventLogStorage)
        result = materialize_range(resources, instance, "2025-12-02", "2025-12-09")
        assert result.success
        graph = defs.resolve_asset_graph()
        keys = [a.key for a in all_assets]
        # per-partition status: every session of every asset materialized
        for key in keys:
            assert instance.get_materialized_partitions(key) == sessions, key
            status = instance.get_asset_records([key])[0].asset_entry
            assert status.last_run_id == result.run_id, key
            assert status.last_materialization.dagster_event.partition in sessions
        planned = instance.get_records_for_run(
            result.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION_PLANNED, limit=10_000
        ).records
        # one planned event per asset, carrying the range (DAGSTER_EMIT_PARTITION_SUBSET_...)
        subsets = {
            r.asset_key: r.event_log_entry.dagster_event.event_specific_data.partitions_subset
            for r in planned
        }
        assert len(planned) == len(keys) and set(subsets) == set(keys)
        assert all(set(sub.get_partition_keys()) == sessions for sub in subsets.values())
        # each check: one execution of the run, completed (no row left PLANNED), its
        # outcome and the sessions it failed on in its metadata; the weekly audit's checks
        # run in their own job (orchestration/full_history.py), never with the assets here
        audit = {k for k in graph.asset_check_keys if k.name == "recompute_full_history"}
        assert audit
        for check_key in audit:
            assert not instance.event_log_storage.get_asset_check_execution_history(
                check_key, limit=10
            ), check_key
        for check_key in graph.asset_check_keys - audit:
            history = instance.event_log_storage.get_asset_check_execution_history(
                check_key, limit=10
            )
            assert [h.run_id for h in history] == [result.run_id], check_key
            assert history[0].status in (
                AssetCheckExecutionRecordStatus.SUCCEEDED,
                AssetCheckExecutionRecordStatus.FAILED,
            ), check_key
            evaluation = history[0].event.dagster_event.event_specific_data
            assert "sessions_checked" in evaluation.metadata, check_key


def test_the_weekly_audit_job_recomputes_the_full_history_and_finds_an_old_defect(resources):
    """The daily ``recompute`` reads the last 63 sessions; the audit job (its own job, no
    asset materialized) recomputes a sample from the first bar, so a wrong row older than
    that window fails ``recompute_full_history`` with severity ERROR, and is kept."""
    from orchestration.full_history import JOB_NAME, full_history_checks, full_history_job

    audit_defs = dg.Definitions(
        assets=all_assets,
        asset_checks=full_history_checks,
        jobs=[full_history_job],
        resources=resources,
    )
    with dg.instance_for_test() as instance:
        assert materialize_range(resources, instance, "2025-09-02", "2025-12-31").success

        def audit() -> dict[str, dg.AssetCheckEvaluation]:
            result = audit_defs.resolve_job_def(JOB_NAME).execute_in_process(
                instance=instance, raise_on_error=False
            )
            assert not result.get_asset_materialization_events()  # checks only
            return {
                e.asset_key.path[-1]: e
                for e in result.get_asset_check_evaluations()
                if e.check_name == "recompute_full_history"
            }

        first = audit()
        assert sorted(first) == ["daily_returns", "relative_performance", "streaks", "technicals"]
        assert all(e.passed for e in first.values())
        with resources["warehouse"].get().transaction() as con:
            con.execute("UPDATE marts.technicals SET sma_20 = sma_20 * 2 WHERE session_date = ?",
                        ["2025-10-15"])  # fmt: skip
        second = audit()
        assert not second["technicals"].passed
        assert second["technicals"].severity == dg.AssetCheckSeverity.ERROR
        assert "sma_20" in second["technicals"].metadata["failures"].value
        assert "2025-10-15" in second["technicals"].metadata["failures"].value
        assert all(second[m].passed for m in ("daily_returns", "streaks", "relative_performance"))
        kept = count(
            resources,
            "select count(*) from dq.check_results where \"check\" = 'recompute_full_history' "
            "and asset = 'marts/technicals' and not passed",
        )
        assert kept == 1
