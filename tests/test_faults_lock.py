"""Another process holding the DuckDB file during a whole run: the run waits with backoff,
then either proceeds or fails naming the holder; nothing is half-written and a re-run
completes it. (The lock retry itself: ``tests/test_warehouse_lock.py``.)

The holders are real processes: a writer that keeps the file open, a "notebook" that
keeps opening it read-only, and one that takes the file the moment the run's landing has
committed and keeps it. The last test is the other way round: a backup holds the file
(read-only, :func:`bellwether.backup.backup_warehouse`) while a run wants to write.
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bellwether import pipeline
from bellwether.backup import HASHES_FILE, backup_warehouse
from bellwether.integrity import table_hashes
from bellwether.landing import ARCHIVE_OUTCOME
from bellwether.pipeline import run_pipeline
from bellwether.sources.archive import list_archives
from bellwether.warehouse import Warehouse, WarehouseLockedError
from tests.faults_support import (
    MART_KEYS,
    NOW,
    assert_equals_full_recompute,
    duplicate_keys,
    files_source,
    missing_checks,
    read_table,
    sample_bars,
    small_universe,
    start_child_run,
    write_files_source,
)

pytestmark = pytest.mark.slow

FIRST, LAST = date(2025, 11, 3), date(2025, 11, 28)
NEXT_FIRST, NEXT_LAST = date(2025, 12, 1), date(2025, 12, 5)

HOLDER = """
import sys, time, duckdb
from pathlib import Path
path, mode, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
if mode == "writer":  # keeps the file open for writing until the release file exists
    con = duckdb.connect(path)
    print("holding", flush=True)
    release, end = Path(path + ".release"), time.monotonic() + seconds
    while not release.exists() and time.monotonic() < end:
        time.sleep(0.02)
elif mode == "reader":  # a notebook that keeps querying the file read-only
    print("holding", flush=True)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            con = duckdb.connect(path, read_only=True)
            con.table("raw.daily_bars").shape
            con.close()
        except duckdb.IOException:
            pass
        time.sleep(0.1)
else:  # "grab": takes the file (read-only: the shared lock) as soon as it can, and keeps it
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            con = duckdb.connect(path, read_only=True)
        except duckdb.IOException:
            time.sleep(0.005)
            continue
        print("holding", flush=True)
        time.sleep(seconds)
        break
"""


@pytest.fixture(scope="module")
def source_folder(tmp_path_factory) -> Path:
    bars = sample_bars(small_universe().symbols, FIRST, NEXT_LAST)
    return write_files_source(tmp_path_factory.mktemp("lock") / "src", bars)


@pytest.fixture(scope="module")
def built(source_folder) -> Path:
    """A warehouse file with FIRST..LAST landed, checked and built."""
    wh = Warehouse(source_folder.parent / "built.duckdb")
    run_pipeline(wh, files_source(source_folder), small_universe(), FIRST, LAST, now=NOW, use_gx=False)  # fmt: skip
    return wh.path


@pytest.fixture
def wh(built, tmp_path) -> Warehouse:
    shutil.copy(built, tmp_path / "wh.duckdb")
    return Warehouse(tmp_path / "wh.duckdb")


def hold(path: Path, mode: str, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), mode, str(seconds)],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout.readline().strip() == "holding"
    return proc


def run_next(wh: Warehouse, folder: Path, lock_timeout_s: float, archive: Path | None = None):
    locked = Warehouse(wh.path, lock_timeout_s=lock_timeout_s)
    return run_pipeline(locked, files_source(folder), small_universe(), NEXT_FIRST, NEXT_LAST,
                        now=NOW, use_gx=False, archive_root=archive)  # fmt: skip


def snapshot(wh: Warehouse) -> dict[str, pl.DataFrame]:
    tables = ["raw.daily_bars", "raw.ingest_runs", "dq.check_results", *MART_KEYS]
    return {t: read_table(wh, t) for t in tables}


def assert_complete(wh: Warehouse, tmp_path: Path) -> None:
    sessions = read_table(wh, "raw.daily_bars")["session_date"]
    assert sessions.min() == FIRST and sessions.max() == NEXT_LAST
    assert duplicate_keys(wh) == {}
    assert missing_checks(wh, use_gx=False) == []
    assert_equals_full_recompute(wh, small_universe(), tmp_path / "recompute")


def test_a_writer_holding_the_file_makes_the_run_fail_naming_it_and_nothing_changes(
    wh, source_folder, tmp_path, lock_conflicts
):
    before = snapshot(wh)
    holder = hold(wh.path, "writer", 120)
    try:
        with pytest.raises(WarehouseLockedError) as exc:
            run_next(wh, source_folder, lock_timeout_s=2.0, archive=tmp_path / "archive")
        assert f"PID {holder.pid}" in str(exc.value) and "gave up after" in str(exc.value)
        assert len(lock_conflicts.naming(holder.pid)) >= 2  # it retried before giving up
    finally:
        holder.kill()
        holder.wait()
    after = snapshot(wh)
    for table, frame in before.items():
        assert_frame_equal(after[table], frame, check_exact=True)  # nothing written at all
    # the archived response says the landing never committed, so a rebuild skips it
    archives, _ = list_archives(tmp_path / "archive")
    assert len(archives) == 1 and not archives[0].committed
    outcome = json.loads((archives[0].folder / ARCHIVE_OUTCOME).read_text())
    assert outcome["status"] == "failed" and "WarehouseLockedError" in outcome["error"]
    run_next(wh, source_folder, lock_timeout_s=30.0)  # once the holder is gone
    assert_complete(wh, tmp_path)


def test_a_run_waits_for_a_short_lived_writer_and_a_busy_reader_then_completes(
    wh, source_folder, tmp_path, lock_conflicts
):
    writer = hold(wh.path, "writer", 600)
    reader = hold(wh.path, "reader", 600)
    # the writer goes once the run has met it: the run must have waited and retried
    lock_conflicts.on_conflict = wh.path.with_name(wh.path.name + ".release").touch
    try:
        run_next(wh, source_folder, lock_timeout_s=120.0)
        assert lock_conflicts.naming(writer.pid), "the run never met the writer"
    finally:
        for proc in (writer, reader):
            proc.kill()
            proc.wait()
    assert_complete(wh, tmp_path)


def test_a_file_taken_after_the_landing_leaves_whole_steps_and_a_rerun_completes(
    wh, source_folder, tmp_path, lock_conflicts, monkeypatch
):
    before = snapshot(wh)
    holders = []
    real_land = pipeline.land_fetch

    def land_then_taken(*args, **kwargs):
        # the moment the landing has committed and closed the file, another process takes
        # it (before: a process polling for the second landing every 20 ms, which missed
        # the gap between two steps in about one run of five and took the file after a
        # mart had been built)
        report = real_land(*args, **kwargs)
        holders.append(hold(wh.path, "grab", 120))
        return report

    monkeypatch.setattr(pipeline, "land_fetch", land_then_taken)
    try:
        with pytest.raises(WarehouseLockedError) as exc:
            run_next(wh, source_folder, lock_timeout_s=5.0)
        (holder,) = holders
        assert f"PID {holder.pid}" in str(exc.value)
        assert len(lock_conflicts.naming(holder.pid)) >= 2  # it retried before giving up
    finally:
        for holder in holders:
            holder.kill()
            holder.wait()
    monkeypatch.undo()
    runs = read_table(wh, "raw.ingest_runs")
    assert runs["status"].to_list() == ["succeeded", "succeeded"]  # the landing is whole
    new_bars = read_table(wh, "raw.daily_bars").filter(pl.col("session_date") >= NEXT_FIRST)
    assert new_bars["ingest_id"].unique().to_list() == [runs["ingest_id"][1]]
    # the marts were not touched before the landing and cannot have been touched after it
    for table in MART_KEYS:
        assert_frame_equal(read_table(wh, table), before[table], check_exact=True)
    run_next(wh, source_folder, lock_timeout_s=30.0)
    assert_complete(wh, tmp_path)


def test_a_backup_taken_while_a_run_writes_is_consistent_and_restores(wh, source_folder, tmp_path):
    """docs/OPERATIONS.md: back up under the shared lock while runs go on."""
    child = start_child_run(wh.path, source_folder, NEXT_FIRST, NEXT_LAST)
    try:
        copy = backup_warehouse(wh, tmp_path / "backups")
    finally:
        _, err = child.communicate(timeout=600)
    assert child.returncode == 0, err[-2000:]  # the run waited for the backup, then went on
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    saved = json.loads((copy.parent / HASHES_FILE).read_text())
    restored = tmp_path / "restored" / "wh.duckdb"
    restored.parent.mkdir()
    for f in copy.parent.glob(copy.name + "*"):  # the file, and a WAL if one was copied
        shutil.copyfile(f, restored.parent / f.name)
    assert table_hashes(Warehouse(restored)) == saved
    landings = read_table(Warehouse(restored), "raw.ingest_runs").height
    assert landings in (1, 2)  # before or after the run's landing, never halfway
    assert_complete(wh, tmp_path)
