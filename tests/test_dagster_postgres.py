"""The Dagster instance on PostgreSQL (``config/dagster.postgres.yaml``, ``dagster-postgres``),
against a real PostgreSQL server that the test starts (Debian's ``postgresql`` package; ``make
test-long`` installs it when missing): a range backfill as one run, then the daily run of one
session, both publishing the warehouse, with runs and events kept in PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bench.postgres_server import pg_bin, postgres_url
from bench.postgres_server import postgres_server as start_postgres

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "config" / "dagster.postgres.yaml"


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[dict[str, str]]:
    """A throw-away PostgreSQL server on 127.0.0.1 (password auth), with a database
    ``dagster``: the BELLWETHER_DAGSTER_PG_* settings that reach it
    (``bench.postgres_server``, which the bench uses too)."""
    bin_dir = pg_bin()
    if bin_dir is None:
        # make test-long installs it (Makefile target postgresql): missing is a broken set-up
        pytest.fail(
            "PostgreSQL is not installed: run the tests with `make test-long` (it installs Debian's "
            "postgresql when missing), or apt-get install postgresql"
        )
    with start_postgres(bin_dir) as settings:
        yield settings


def test_the_postgres_template_is_the_project_instance_plus_postgres_storage():
    base = yaml.safe_load((ROOT / "dagster_home" / "dagster.yaml").read_text())
    template = yaml.safe_load(TEMPLATE.read_text())
    storage = template.pop("storage")
    base.pop("storage")  # the project's batching SQLite storage, which PostgreSQL replaces
    assert template == base  # concurrency pools, run monitoring, telemetry: the same
    assert storage["custom"]["module"] == "orchestration.dagster_storage"
    assert storage["custom"]["class"] == "BellwetherPostgresStorage"
    db = storage["custom"]["config"]["postgres_db"]
    assert db.pop("scheme") == "postgresql+psycopg2"
    assert db == {k: {"env": f"BELLWETHER_DAGSTER_PG_{v}"} for k, v in (
        ("hostname", "HOST"), ("port", "PORT"), ("db_name", "DB"), ("username", "USER"),
        ("password", "PASSWORD"))}  # fmt: skip


def test_the_backfill_and_the_daily_run_on_a_postgres_instance(
    postgres_server, tmp_path, monkeypatch
):
    import dagster as dg
    import psycopg2
    from dagster_postgres import PostgresEventLogStorage

    from bellwether.publish import current_state
    from bellwether.settings import published_path
    from orchestration.definitions import defs
    from orchestration.schedules import RANGE_END_TAG, RANGE_START_TAG

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(TEMPLATE, home / "dagster.yaml")
    for key, value in {
        **{f"BELLWETHER_DAGSTER_PG_{k}": v for k, v in postgres_server.items()},
        "BELLWETHER_SOURCE": "bundled",
        "BELLWETHER_WAREHOUSE": str(tmp_path / "writer" / "wh.duckdb"),
        "BELLWETHER_ARCHIVE": str(tmp_path / "archive"),
        "BELLWETHER_REPORTS": str(tmp_path / "reports"),
    }.items():
        monkeypatch.setenv(key, value)
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "BellwetherPostgresEventLogStorage"
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        backfill = defs.resolve_job_def("bellwether_warehouse").execute_in_process(
            instance=instance,
            tags={RANGE_START_TAG: "2025-12-01",
                  RANGE_END_TAG: "2025-12-12"},
            run_config=quiet,
        )  # fmt: skip
        assert backfill.success
        daily = defs.resolve_job_def("bellwether_daily").execute_in_process(
            instance=instance, partition_key="2025-12-15", run_config=quiet
        )
        assert daily.success
        assert {r.run_id for r in instance.get_runs()} == {backfill.run_id, daily.run_id}
        key = dg.AssetKey(["warehouse", "published"])
        assert instance.get_latest_materialization_event(key).run_id == daily.run_id
    pg = postgres_server
    with psycopg2.connect(host=pg["HOST"], port=pg["PORT"], user=pg["USER"],
                          password=pg["PASSWORD"], dbname=pg["DB"]) as con, con.cursor() as cur:  # fmt: skip
        cur.execute("SELECT count(*) FROM runs")
        assert cur.fetchone()[0] == 2
        cur.execute("SELECT count(*) FROM event_logs WHERE run_id = %s", (backfill.run_id,))
        assert cur.fetchone()[0] > 0
    state = current_state(published_path())
    assert state.state_id == 2 and state.run_id == daily.run_id
    assert (tmp_path / "reports" / "2025-12-15.json").exists()


def test_two_claims_of_the_one_free_slot_at_once_grant_it_once_on_postgres(postgres_server):
    """The project's PostgreSQL storage claims a pool slot in one statement: two runs whose
    steps reach the one free slot together get it once (``tests/test_dagster_storage.py``
    for SQLite; ``bench/dagster_slot_race.py`` shows Dagster's own claim granting both)."""
    from bench.dagster_slot_race import RUNS, STEP, postgres_claims_at_once
    from orchestration.dagster_storage import postgres_storage_class

    url = postgres_url(postgres_server)
    granted, held = postgres_claims_at_once("project", url, "race_test")
    assert sorted(granted) == [False, True] and held == 1
    holder, waiter = RUNS if granted[0] else RUNS[::-1]
    events = postgres_storage_class()(url).event_log_storage
    try:
        events.free_concurrency_slot_for_step(holder, STEP)
        assert events.claim_concurrency_slot("race_test", waiter, STEP).is_claimed
    finally:
        events.dispose()
