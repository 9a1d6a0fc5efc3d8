"""A run killed with SIGKILL while it writes a partition range: the warehouse opens, every
session is wholly old or wholly new, and a re-run completes it.

The warehouse holds the bundled sample over 2025-06-02..2025-08-15 for the whole default
universe (old), landed, checked and built. A child process then runs the pipeline over the
same range from a source whose prices are all 2% higher (new), and is killed at a
deterministic point found by watching its WAL: every connection of a run ends with a
checkpoint that removes the WAL, and only the landing and the biggest marts write more
than 1 MB. The child is killed while the first such transaction (the landing) is being
committed, or while the third is (the landing and ``marts.daily_returns`` have committed,
a later mart is being written).

A Dagster run killed while it holds the ``duckdb_writer`` slot keeps it (the default run
launcher cannot tell that the process died): the last test walks through the recovery
that docs/OPERATIONS.md gives.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from bellwether.pipeline import run_pipeline
from bellwether.universe import default_universe
from bellwether.warehouse import Warehouse
from orchestration.resources import WRITER_POOL
from tests.faults_support import (
    MART_KEYS,
    NOW,
    ROOT,
    child_env,
    duplicate_keys,
    files_source,
    missing_checks,
    read_table,
    sample_actions,
    sample_bars,
    session_digests,
    start_child_run,
    wait_until,
    write_files_source,
)

pytestmark = pytest.mark.slow

FIRST, LAST = date(2025, 6, 2), date(2025, 8, 15)
TABLES = ["raw.daily_bars", *MART_KEYS]
PRICES = ["open", "high", "low", "close", "adj_close"]


def digests(wh: Warehouse) -> dict[str, dict]:
    return {t: session_digests(wh, t) for t in TABLES}


def run(wh: Warehouse, folder: Path):
    return run_pipeline(
        wh, files_source(folder), default_universe(), FIRST, LAST, now=NOW, use_gx=False
    )


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """The old warehouse file, the new source, and every session's old and new digests."""
    base = tmp_path_factory.mktemp("kill")
    universe = default_universe()
    bars = sample_bars(universe.symbols, FIRST, LAST)
    actions = sample_actions(universe.symbols)
    old = write_files_source(base / "old", bars, actions)
    new = write_files_source(
        base / "new", bars.with_columns([pl.col(c) * 1.02 for c in PRICES]), actions
    )
    old_wh = Warehouse(base / "old.duckdb")
    run(old_wh, old)
    shutil.copy(old_wh.path, base / "reference.duckdb")
    reference = Warehouse(base / "reference.duckdb")
    run(reference, new)
    return {"old_file": old_wh.path, "new": new, "old": digests(old_wh), "ref": digests(reference)}


def wal_size(path: Path) -> int:
    wal = path.with_name(path.name + ".wal")
    try:
        return wal.stat().st_size
    except FileNotFoundError:
        return 0


class BigCommits:
    """Counts the transactions that grow the WAL past ``size`` (the WAL is removed by the
    checkpoint that ends each connection); true while the ``n``-th is being committed."""

    def __init__(self, path: Path, n: int, size: int = 1_000_000) -> None:
        self.path, self.n, self.size = path, n, size
        self.seen, self.inside = 0, False

    def __call__(self) -> bool:
        big = wal_size(self.path) > self.size
        if big and not self.inside:
            self.seen += 1
        self.inside = big
        return big and self.seen == self.n


#: The big commit to kill the run in: 1 the landing, 3 the mart after marts.daily_returns.
MOMENTS = {"landing_commit": 1, "second_mart_commit": 3}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_a_killed_run_leaves_every_session_old_or_new_and_a_rerun_completes_it(
    states, tmp_path, moment
):
    path = tmp_path / "wh.duckdb"
    shutil.copy(states["old_file"], path)
    child = start_child_run(path, states["new"], FIRST, LAST, full=True)
    try:
        hit = wait_until(BigCommits(path, MOMENTS[moment]), timeout_s=300)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=60)
    assert hit, f"the run ended before the {moment}: {child.stderr.read()[-2000:]}"
    # the kill, not the end of the run, stopped the child, and it stopped it inside a write:
    # the connection's uncheckpointed WAL (over 1 MB) is left behind, never checkpointed
    assert child.returncode == -signal.SIGKILL
    assert wal_size(path) > 1_000_000

    wh = Warehouse(path)
    with wh.connect() as con:  # opens writable (replays the WAL of what had committed)
        con.execute("CHECKPOINT")
    killed = digests(wh)
    for table in TABLES:
        old, new = states["old"][table], states["ref"][table]
        state = {
            s: "old" if d == old.get(s) else "new" if d == new.get(s) else "mixed"
            for s, d in killed[table].items()
        }
        assert set(state) == set(new), table  # no session lost or added
        assert "mixed" not in state.values(), (table, [s for s, v in state.items() if v == "mixed"])
        if table == "raw.daily_bars":  # one landing, one transaction: all old or all new
            assert len(set(state.values())) == 1, state
            raw_state = next(iter(state.values()))
    runs = read_table(wh, "raw.ingest_runs")
    new = [t for t in MART_KEYS if killed[t] == states["ref"][t] != states["old"][t]]
    print(f"killed at {moment}: raw {raw_state}, marts already new: {new}")
    assert runs.height == (2 if raw_state == "new" else 1)
    assert runs["status"].to_list() == ["succeeded"] * runs.height
    if moment == "landing_commit":  # killed before any mart was written
        assert new == []
    if moment == "second_mart_commit":  # some tables new, others old, each session whole
        assert raw_state == "new"
        assert killed["marts.daily_returns"] == states["ref"]["marts.daily_returns"]
    assert duplicate_keys(wh) == {}

    run(wh, states["new"])  # the re-run
    assert digests(wh) == states["ref"]
    assert duplicate_keys(wh) == {}
    assert missing_checks(wh, use_gx=False) == []


def test_a_killed_dagster_run_holds_the_writer_slot_until_it_is_failed_and_freed(
    tmp_path, monkeypatch
):
    """The runbook of docs/OPERATIONS.md for a run whose process was killed."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((ROOT / "dagster_home" / "dagster.yaml").read_text())
    env = {**child_env(), "HOME": str(tmp_path), "DAGSTER_HOME": str(home),
           "BELLWETHER_SOURCE": "bundled", "BELLWETHER_WAREHOUSE": str(tmp_path / "wh.duckdb"),
           "BELLWETHER_ARCHIVE": str(tmp_path / "archive")}  # fmt: skip
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # the project storage's base_dir reads it
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] > 0

        def claimed() -> list:
            try:
                return instance.event_log_storage.get_concurrency_info(WRITER_POOL).claimed_slots
            except Exception:  # the run's process holds the SQLite file for a moment
                return []

        dagster = str(Path(sys.executable).parent / "dagster")
        child = subprocess.Popen(
            [dagster, "asset", "materialize", "-m", "orchestration.definitions", "--select",
             "raw/daily_bars", "--partition-range", f"{FIRST}...{LAST}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            assert wait_until(lambda: bool(claimed()), timeout_s=600, poll_s=0.2)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=60)
        (run,) = instance.get_runs()
        assert run.status == dg.DagsterRunStatus.STARTED  # nobody knows the process is gone
        assert [s.run_id for s in claimed()] == [run.run_id]  # and it keeps the writer slot

        instance.report_run_failed(run, "the run's process was killed")  # Terminate in the UI
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        assert claimed() == []
        assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
