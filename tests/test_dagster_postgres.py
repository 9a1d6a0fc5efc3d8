"""The Dagster instance on PostgreSQL (``config/dagster.postgres.yaml``, ``dagster-postgres``),
against a real PostgreSQL server that the test starts (Debian's ``postgresql`` package; ``make
test`` installs it when missing): a range backfill as one run, then the daily run of one
session, both publishing the warehouse, with runs and events kept in PostgreSQL."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from glob import glob
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "config" / "dagster.postgres.yaml"


def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[dict[str, str]]:
    """A throw-away PostgreSQL server on 127.0.0.1 (password auth), with a database
    ``dagster``: the BELLWETHER_DAGSTER_PG_* settings that reach it."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        # make test installs it (Makefile target postgresql): missing is a broken set-up
        pytest.fail(
            "PostgreSQL is not installed: run the tests with `make test` (it installs Debian's "
            "postgresql when missing), or apt-get install postgresql"
        )
    root = Path(tempfile.mkdtemp(prefix="bw-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()

    def pg(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, text=True, timeout=120)

    pwfile = root / "pw"
    login = secrets.token_hex(16)  # a new one for each server
    pwfile.write_text(login + "\n")
    if as_user:
        shutil.chown(pwfile, "postgres", "postgres")
    pg(str(bin_dir / "initdb"), "-D", str(data), "-A", "scram-sha-256", "-U", "postgres",
       f"--pwfile={pwfile}", "-E", "UTF8", "--no-sync")  # fmt: skip
    pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-o",
       f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")  # fmt: skip
    try:
        import psycopg2

        con = psycopg2.connect(host="127.0.0.1", port=port, user="postgres",
                               password=login, dbname="postgres")  # fmt: skip
        con.autocommit = True
        con.cursor().execute("CREATE DATABASE dagster")
        con.close()
        yield {"HOST": "127.0.0.1", "PORT": str(port), "DB": "dagster", "USER": "postgres",
               "PASSWORD": login}  # fmt: skip
    finally:
        pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def test_the_postgres_template_is_the_project_instance_plus_postgres_storage():
    base = yaml.safe_load((ROOT / "dagster_home" / "dagster.yaml").read_text())
    template = yaml.safe_load(TEMPLATE.read_text())
    storage = template.pop("storage")
    assert template == base  # concurrency pools, run monitoring, telemetry: the same
    db = storage["postgres"]["postgres_db"]
    assert db.pop("scheme") == "postgresql+psycopg2"
    assert db == {k: {"env": f"BELLWETHER_DAGSTER_PG_{v}"} for k, v in (
        ("hostname", "HOST"), ("port", "PORT"), ("db_name", "DB"), ("username", "USER"),
        ("password", "PASSWORD"))}  # fmt: skip


def test_the_backfill_and_the_daily_run_on_a_postgres_instance(
    postgres_server, tmp_path, monkeypatch
):
    import dagster as dg
    import psycopg2

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
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
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
