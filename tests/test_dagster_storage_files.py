"""The project's Dagster instance files: shards kept open, created in 16 KiB pages.

The project's storage (``orchestration/dagster_storage.py``) keeps one SQLite connection per
shard open instead of an engine per transaction, and creates new shards with 16 KiB pages
(a materialization row of about 2.3 KiB filled a 4 KiB page). What a user relies on must
not change: every run's events are stored and readable, by this process and by another
(the webserver reads what a run worker writes), after more runs than shards kept open, and
after a wipe.
"""

import sqlite3
from pathlib import Path

import dagster as dg
import pytest

from orchestration.dagster_storage import (
    OPEN_RUN_SHARDS,
    SHARD_PAGE_SIZE,
    BatchingSqliteEventLogStorage,
)

ROOT = Path(__file__).resolve().parent.parent
PARTITIONS = dg.DailyPartitionsDefinition(start_date="2025-12-01", end_date="2025-12-12")


@dg.asset(partitions_def=PARTITIONS)
def tiny(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"dagster/row_count": len(context.partition_key)})


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((ROOT / "dagster_home" / "dagster.yaml").read_text())
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def _page_size(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA page_size").fetchone()[0]
    finally:
        con.close()


def _materialized(instance: dg.DagsterInstance) -> list[str]:
    records = instance.fetch_materializations(dg.AssetKey("tiny"), limit=100).records
    return sorted(r.partition_key for r in records)


def test_every_run_is_stored_and_readable_beyond_the_shards_kept_open(home):
    keys = PARTITIONS.get_partition_keys()[: OPEN_RUN_SHARDS + 3]
    with dg.DagsterInstance.from_config(str(home)) as writer:
        storage = writer.event_log_storage
        assert isinstance(storage, BatchingSqliteEventLogStorage)
        run_ids = [dg.materialize([tiny], instance=writer, partition_key=k).run_id for k in keys]
        # a second instance on the same folder (what the webserver is to a run worker)
        # reads what the first wrote while the first keeps its shards open
        with dg.DagsterInstance.from_config(str(home)) as reader:
            assert _materialized(reader) == keys
            for run_id in run_ids:
                logs = reader.all_logs(run_id)
                assert any(e.dagster_event_type == dg.DagsterEventType.RUN_SUCCESS for e in logs)
        assert len(storage._open_shards) <= OPEN_RUN_SHARDS + 1  # the index and the last runs
        # a run shard closed earlier is opened again to read it
        assert any(e.is_dagster_event for e in writer.all_logs(run_ids[0]))
    shards = sorted((home / "history" / "runs").glob("*.db"))
    assert len(shards) == len(keys) + 1  # the runs and index.db
    assert {_page_size(p) for p in shards} == {SHARD_PAGE_SIZE}


def test_a_wipe_closes_the_open_shards_and_later_runs_are_stored_again(home):
    with dg.DagsterInstance.from_config(str(home)) as instance:
        first = dg.materialize([tiny], instance=instance, partition_key="2025-12-01")
        instance.wipe()
        assert not (home / "history" / "runs" / f"{first.run_id}.db").exists()
        assert _materialized(instance) == []
        later = dg.materialize([tiny], instance=instance, partition_key="2025-12-02")
        assert _materialized(instance) == ["2025-12-02"]
        assert (home / "history" / "runs" / f"{later.run_id}.db").exists()
    with dg.DagsterInstance.from_config(str(home)) as reopened:
        assert _materialized(reopened) == ["2025-12-02"]
