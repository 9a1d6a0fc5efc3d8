"""Another process holding the DuckDB file: retry with backoff, then fail naming the holder.

Every attempt to open the file is seen (the ``lock_conflicts`` fixture), so each test shows
the retries that happened, not only the outcome."""

import subprocess
import sys

import pytest

from bellwether.warehouse import Warehouse, WarehouseLockedError

#: Holds the file for writing until the release file exists (or for a minute).
HOLD = """
import sys, time, duckdb
from pathlib import Path
con = duckdb.connect(sys.argv[1])
con.execute("create table if not exists t(x int)")
print("holding", flush=True)
release, end = Path(sys.argv[2]), time.monotonic() + 60
while not release.exists() and time.monotonic() < end:
    time.sleep(0.02)
"""


def hold(path, release):
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(release)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "holding"
    return proc


def test_a_held_warehouse_fails_after_the_timeout_naming_the_holder(tmp_path, lock_conflicts):
    path = tmp_path / "wh.duckdb"
    proc = hold(path, tmp_path / "never")
    try:
        with (
            pytest.raises(WarehouseLockedError) as exc,
            Warehouse(path, lock_timeout_s=1.5).connect(),
        ):
            pass
        assert f"PID {proc.pid}" in str(exc.value)
        assert "Close that session" in str(exc.value) and "gave up after" in str(exc.value)
        # it met the holder more than once: it retried (backoff) before giving up
        assert len(lock_conflicts.naming(proc.pid)) >= 2, lock_conflicts.seen
        assert len(lock_conflicts.seen) == len(lock_conflicts.naming(proc.pid))
    finally:
        proc.kill()
        proc.wait()


def test_a_writer_waits_for_a_short_lived_holder_and_then_proceeds(tmp_path, lock_conflicts):
    path, release = tmp_path / "wh.duckdb", tmp_path / "release"
    proc = hold(path, release)
    lock_conflicts.on_conflict = release.touch  # the holder goes once the writer met it
    try:
        with Warehouse(path, lock_timeout_s=30).connect() as con:
            assert con.sql("select count(*) from t").fetchall() == [(0,)]
        assert lock_conflicts.naming(proc.pid), "the writer never met the holder"
    finally:
        proc.kill()
        proc.wait()
