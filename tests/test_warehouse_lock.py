"""Another process holding the DuckDB file: retry with backoff, then fail naming the holder."""

import subprocess
import sys
import time

import pytest

from bellwether.warehouse import Warehouse, WarehouseLockedError

HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create table if not exists t(x int)")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


def hold(path, seconds):
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "holding"
    return proc


def test_a_held_warehouse_fails_after_the_timeout_naming_the_holder(tmp_path):
    path = tmp_path / "wh.duckdb"
    proc = hold(path, 30)
    try:
        started = time.monotonic()
        with (
            pytest.raises(WarehouseLockedError) as exc,
            Warehouse(path, lock_timeout_s=1.5).connect(),
        ):
            pass
        assert 1.0 <= time.monotonic() - started < 10
        assert f"PID {proc.pid}" in str(exc.value)
        assert "Close that session" in str(exc.value)
    finally:
        proc.kill()
        proc.wait()


def test_a_writer_waits_for_a_short_lived_holder_and_then_proceeds(tmp_path):
    path = tmp_path / "wh.duckdb"
    proc = hold(path, 1.5)
    try:
        with Warehouse(path, lock_timeout_s=30).connect() as con:
            assert con.sql("select count(*) from t").fetchall() == [(0,)]
    finally:
        proc.kill()
        proc.wait()
