"""Readers and the schedule never block each other (``bellwether.publish``), with real processes.

Runs write the writer's private file; readers open the published file, a generation swapped
in atomically after every successful run. Verified here: a reader holding a connection across
a run and a reader reconnecting every 50 ms see only whole published states (content hashes
of a mart) and never a lock error, while the run never waits for them; a generation still
held by a reader from two states ago is made anew instead of being written under it; a
foreign process holding the *writer's* file still fails the run and the publish naming it,
and the published state is unchanged; the DuckDB CLI from the package index (1.5) opens the
published file and runs ``bw.period_return``; the Dagster job publishes and the brief names
the published state it read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from bellwether import publish as publish_module
from bellwether.calendar import sessions_in_range as sessions_between
from bellwether.integrity import table_hashes
from bellwether.pipeline import run_pipeline
from bellwether.publish import (
    PublishError,
    StateNotKept,
    current_state,
    generations_dir,
    kept_states,
    manifest_path,
    open_state,
    publish,
)
from bellwether.universe import parse_universe
from bellwether.warehouse import Warehouse, WarehouseLockedError
from tests.faults_support import (
    NOW,
    files_source,
    instrument_entries,
    sample_bars,
    small_universe,
    write_files_source,
)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent

FIRST, LAST = date(2025, 11, 3), date(2025, 11, 14)
SECOND = (date(2025, 11, 17), date(2025, 11, 21))
THIRD = (date(2025, 11, 24), date(2025, 11, 28))

#: A reader in its own process: ``hold`` keeps ONE read-only connection for the whole time,
#: ``poll`` reconnects every 50 ms. Each read prints the published state id and a digest of
#: the whole marts.daily_returns table; any error is printed and counted.
READER = r"""
import hashlib, sys, time, duckdb
path, mode, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
def read(con):
    state = con.execute("SELECT state_id FROM meta.published_state").fetchone()[0]
    rows = con.execute("SELECT * FROM marts.daily_returns ORDER BY ticker, session_date").fetchall()
    return state, hashlib.sha256(repr(rows).encode()).hexdigest()
con = duckdb.connect(path, read_only=True) if mode == "hold" else None
print("ready", flush=True)
end = time.monotonic() + seconds
while time.monotonic() < end:
    try:
        if mode == "hold":
            state, digest = read(con)
        else:
            c = duckdb.connect(path, read_only=True)
            try:
                state, digest = read(c)
            finally:
                c.close()
        print(f"read {state} {digest}", flush=True)
    except Exception as exc:
        print(f"error {type(exc).__name__}: {exc}".replace("\n", " "), flush=True)
    time.sleep(0.05)
"""

#: How long a reader process runs at most (the tests end every one they start): long enough
#: for the slowest machine, since a reader that has ended reads nothing more.
READER_LIFETIME = 3600

HOLD_WRITER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    bars = sample_bars(small_universe().symbols, FIRST, THIRD[1])
    return write_files_source(tmp_path_factory.mktemp("publish") / "src", bars)


def run(wh: Warehouse, source: Path, first: date, last: date) -> None:
    run_pipeline(wh, files_source(source), small_universe(), first, last, now=NOW, use_gx=False)


def digest_of(path: Path) -> str:
    """What READER computes for a file."""
    import hashlib

    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "SELECT * FROM marts.daily_returns ORDER BY ticker, session_date"
        ).fetchall()
    finally:
        con.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def start_reader(path: Path, mode: str, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", READER, str(path), mode, str(seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


def reads_of(proc: subprocess.Popen) -> tuple[list[tuple[int, str]], list[str]]:
    out, err = proc.communicate(timeout=120)
    reads = [(int(x.split()[1]), x.split()[2]) for x in out.splitlines() if x.startswith("read ")]
    errors = [x for x in out.splitlines() if x.startswith("error ")]
    assert proc.returncode in (0, -15), err[-2000:]  # -15: ended by the test (SIGTERM)
    return reads, errors


@pytest.fixture
def published_after_first(source, tmp_path) -> tuple[Warehouse, Path]:
    wh = Warehouse(tmp_path / "writer" / "wh.duckdb", lock_timeout_s=2.0)
    run(wh, source, FIRST, LAST)
    published = tmp_path / "warehouse.duckdb"
    publish(wh, "run-1", sessions_between(FIRST, LAST), published=published)
    return wh, published


def test_each_published_state_holds_exactly_the_writers_content_and_its_record(
    published_after_first, source
):
    wh, published = published_after_first
    pub = Warehouse(published)
    assert table_hashes(pub) == table_hashes(wh)
    methods = []
    for i, (first, last) in enumerate((SECOND, THIRD, SECOND), start=2):
        run(wh, source, first, last)  # the last one re-lands a range: a replacement
        state = publish(wh, f"run-{i}", sessions_between(first, last), published=published)
        methods.append(state.method)
        assert table_hashes(pub) == table_hashes(wh), state.label()
        assert state.state_id == i and state.run_id == f"run-{i}"
        assert state.run_sessions[0] == first and state.run_sessions[-1] == last
    # three states are kept by default: states 2 and 3 are new generation files (copies of
    # the current one), state 4 is written in place into state 1's generation
    assert methods == ["copy", "copy", "in place"]
    assert [s.generation for s in kept_states(published)] == ["b", "c", "a"]
    with pub.connect(read_only=True) as con:
        history = con.sql("SELECT state_id, run_id FROM meta.published_states").fetchall()
        assert history == [(1, "run-1"), (2, "run-2"), (3, "run-3"), (4, "run-4")]
        assert con.sql("SELECT state_id FROM meta.published_state").fetchall() == [(4,)]
    doc = json.loads(manifest_path(published).read_text())
    assert doc["current"]["state_id"] == 4 and len(doc["states"]) == 4
    assert doc["current"]["table_rows"]["raw.daily_bars"] > 0
    assert current_state(published).state_id == 4
    # readers get user-only files, like the writer's
    for p in (published, *generations_dir(published).glob("*.duckdb")):
        assert oct(p.stat().st_mode & 0o777) == "0o600", p


def test_a_reader_holding_a_connection_and_one_polling_every_50ms_never_block_a_run(
    published_after_first, source
):
    wh, published = published_after_first
    before = digest_of(published)
    holder = start_reader(published, "hold", READER_LIFETIME)
    poller = Poller(published)
    try:
        # the writer's lock timeout is 2 s: had it waited for a reader, it would have failed
        run(wh, source, *SECOND)
        state = publish(wh, "run-2", sessions_between(*SECOND), published=published)
        after = digest_of(published)
        poller.wait_for(2)  # until the poller has read the new state
    finally:
        holder.terminate()
        polled, polled_errors = poller.stop()
    held, held_errors = reads_of(holder)
    assert held_errors == [] and polled_errors == []  # zero lock errors, zero errors at all
    assert before != after and state.state_id == 2
    # the held connection keeps the state it opened, whole
    assert held and set(held) == {(1, before)}
    # every poll saw one published state exactly: the old one, then the new one
    assert polled and set(polled) <= {(1, before), (2, after)} and polled[-1] == (2, after)
    seen = [s for s, _ in polled]
    assert seen == sorted(seen)


class Poller:
    """A READER process in ``poll`` mode whose output is collected as it comes (a thread),
    so that a test can wait until it has read a given state."""

    def __init__(self, path: Path) -> None:
        import threading

        self.proc = start_reader(path, "poll", READER_LIFETIME)
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._collect, daemon=True)
        self._thread.start()

    def _collect(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.strip())

    def has_read(self, state_id: int) -> bool:
        return any(x.startswith(f"read {state_id} ") for x in list(self.lines))

    def wait_for(self, state_id: int) -> None:
        """Until the poller has read ``state_id`` (it reconnects every 50 ms; the deadline
        only guards against a hang)."""
        deadline = time.monotonic() + 120
        while not self.has_read(state_id):
            assert time.monotonic() < deadline and self.proc.poll() is None, self.lines[-5:]
            time.sleep(0.05)

    def stop(self) -> tuple[list[tuple[int, str]], list[str]]:
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self._thread.join(timeout=60)
        assert self.proc.returncode in (0, -15), self.proc.stderr.read()[-2000:]
        reads = [(int(x.split()[1]), x.split()[2]) for x in self.lines if x.startswith("read ")]
        return reads, [x for x in self.lines if x.startswith("error ")]


def test_readers_across_a_backfill_daily_runs_and_a_restatement_see_only_published_states(
    tmp_path,
):
    """A sequence as the schedule makes it, each run published as the Dagster job does: the
    first session, then a backfill of two weeks as one run, three daily runs, and a
    restatement of one of them re-run. A reader process holds one connection across the
    backfill, another one across the daily runs and the restatement, and a third reconnects
    every 50 ms throughout (the test waits until it has read each state before the next
    run). Every read equals a state that was published (its id and the content hash of
    marts.daily_returns), no read fails, the held connections see only the state they
    opened, and the writer never waits for them (2 s lock timeout)."""
    days = sessions_between(*SECOND)[:3]
    bars = sample_bars(small_universe().symbols, FIRST, days[-1])
    folder = write_files_source(tmp_path / "src", bars)
    wh = Warehouse(tmp_path / "writer" / "wh.duckdb", lock_timeout_s=2.0)
    published = tmp_path / "warehouse.duckdb"
    states: dict[int, str] = {}
    poller: Poller | None = None

    def run_and_publish(first: date, last: date) -> None:
        run(wh, folder, first, last)
        state = publish(wh, f"run-{len(states) + 1}", sessions_between(first, last),
                        published=published)  # fmt: skip
        states[state.state_id] = digest_of(published)
        if poller is not None:
            poller.wait_for(state.state_id)

    run_and_publish(FIRST, FIRST)
    poller = Poller(published)
    across_backfill = start_reader(published, "hold", READER_LIFETIME)
    try:
        run_and_publish(FIRST, LAST)  # the backfill
        across_backfill.terminate()
        across_daily = start_reader(published, "hold", READER_LIFETIME)
        try:
            for day in days:
                run_and_publish(day, day)
            hit = (bars["ticker"] == "HBAN") & (bars["date"] == days[1])
            restated = [bars[c].zip_with(~hit, bars[c] * 1.02).alias(c)
                        for c in ("open", "high", "low", "close", "adj_close")]  # fmt: skip
            write_files_source(folder, bars.with_columns(restated))
            run_and_publish(days[1], days[1])  # the restatement
        finally:
            across_daily.terminate()
    finally:
        across_backfill.terminate()
        polled, poll_errors = poller.stop()
    published_states = set(states.items())
    assert len(published_states) == 6 and len(set(states.values())) == 6
    backfill_reads, backfill_errors = reads_of(across_backfill)
    daily_reads, daily_errors = reads_of(across_daily)
    assert backfill_errors == daily_errors == poll_errors == []  # no lock error, no error
    assert backfill_reads and set(backfill_reads) == {(1, states[1])}
    assert daily_reads and set(daily_reads) == {(2, states[2])}
    assert set(polled) == published_states  # every read is a published state, each was read
    seen = [s for s, _ in polled]
    assert seen == sorted(seen)


def test_a_generation_still_held_by_an_old_reader_is_made_anew_not_written_under_it(
    published_after_first, source
):
    wh, published = published_after_first
    old = digest_of(published)
    holder = start_reader(published, "hold", READER_LIFETIME)  # holds generation a (state 1)
    try:
        run(wh, source, *SECOND)  # two states kept: a and b alternate
        second = publish(wh, "run-2", sessions_between(*SECOND), published=published, keep=2)
        run(wh, source, *THIRD)
        third = publish(wh, "run-3", sessions_between(*THIRD), published=published, keep=2)
        time.sleep(0.3)
    finally:
        holder.terminate()
    held, errors = reads_of(holder)
    assert errors == [] and set(held) == {(1, old)}
    assert (second.generation, third.generation) == ("b", "a")
    assert third.method == "copy"  # generation a was still held: a new file, not in place
    assert table_hashes(Warehouse(published)) == table_hashes(wh)


def test_a_foreign_writer_on_the_writers_file_fails_naming_it_and_the_published_state_stays(
    published_after_first, source
):
    wh, published = published_after_first
    before = table_hashes(Warehouse(published))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITER, str(wh.path), "120"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "holding"
    try:
        with pytest.raises(WarehouseLockedError, match=f"PID {holder.pid}"):
            run(wh, source, *SECOND)
        with pytest.raises(WarehouseLockedError, match=f"PID {holder.pid}") as exc:
            publish(wh, "run-2", sessions_between(*SECOND), published=published)
        assert "Close that session" in str(exc.value)
    finally:
        holder.kill()
        holder.wait()
    assert current_state(published).state_id == 1
    assert table_hashes(Warehouse(published)) == before  # readers lost nothing
    run(wh, source, *SECOND)  # once the holder is gone, the run and the publish complete
    publish(wh, "run-2", sessions_between(*SECOND), published=published)
    assert table_hashes(Warehouse(published)) == table_hashes(wh)


def test_a_warehouse_from_before_publishing_at_the_published_path_is_never_replaced(
    published_after_first, tmp_path
):
    wh, _ = published_after_first
    legacy = tmp_path / "legacy" / "warehouse.duckdb"
    legacy.parent.mkdir()
    legacy.write_bytes(wh.path.read_bytes())
    with pytest.raises(PublishError, match="Move it to the writer's path"):
        publish(wh, "run-x", [], published=legacy)
    assert legacy.read_bytes() == wh.path.read_bytes()


def test_the_duckdb_cli_from_the_package_index_opens_the_published_file_with_the_macros(
    published_after_first,
):
    wh, published = published_after_first
    cli = Path(sys.executable).parent / "duckdb"  # PyPI duckdb-cli, locked in uv.lock
    version = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("v1.5")
    # a macro, and the views over the stored tables (adj_close through raw.adj_close_scale)
    for sql in (
        "SELECT bw.period_return('^RUT', DATE '2025-11-04', DATE '2025-11-14', 'close')",
        "SELECT (SELECT sum(adj_close) FROM raw.daily_bars) + "
        "(SELECT sum(adj_close) FROM marts.daily_returns)",
    ):
        out = subprocess.run(
            [cli, "-readonly", "-csv", "-noheader", str(published), "-c", sql],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        with wh.connect(read_only=True) as con:
            want = con.execute(sql).fetchone()[0]
        assert want is not None and float(out.stdout.strip()) == pytest.approx(want, rel=1e-12)
    # the writer's own file is DuckDB 2.0 storage, which that CLI cannot read
    own = subprocess.run([cli, "-readonly", str(wh.path), "-c", "SELECT 1"],
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert own.returncode != 0


def test_bellwether_sql_runs_the_cli_on_the_published_warehouse(published_after_first):
    _, published = published_after_first
    env = {**os.environ, "BELLWETHER_PUBLISHED": str(published)}
    out = subprocess.run(
        [Path(sys.executable).parent / "bellwether", "sql", "-csv", "-noheader",
         "-c", "SELECT state_id FROM meta.published_state"],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"


def test_a_dagster_run_publishes_after_its_marts_and_the_brief_names_that_state(
    tmp_path, monkeypatch
):
    import dagster as dg

    from orchestration.definitions import all_assets
    from orchestration.resources import BarSourceResource, WarehouseResource
    from orchestration.schedules import RANGE_END_TAG, RANGE_START_TAG

    monkeypatch.setenv("BELLWETHER_REPORTS", str(tmp_path / "reports"))
    resources = {
        "warehouse": WarehouseResource(
            path=str(tmp_path / "writer" / "wh.duckdb"), archive_dir=str(tmp_path / "archive")
        ),
        "source": BarSourceResource(kind="bundled"),
    }
    published = resources["warehouse"].published_path()
    assert published == tmp_path / "writer" / "published" / "wh.duckdb"
    with dg.instance_for_test() as instance:
        first = dg.materialize(
            all_assets, resources=resources, instance=instance,
            tags={RANGE_START_TAG: "2025-12-02",
                  RANGE_END_TAG: "2025-12-04"},
        )  # fmt: skip
        assert first.success
        state = current_state(published)
        assert state.state_id == 1 and state.run_id == first.run_id
        assert [d.isoformat() for d in state.run_sessions] == [
            "2025-12-02", "2025-12-03", "2025-12-04",
        ]  # fmt: skip
        second = dg.materialize(
            all_assets, resources=resources, instance=instance, partition_key="2025-12-05"
        )
        assert second.success
    state = current_state(published)
    assert state.state_id == 2 and state.run_id == second.run_id
    assert table_hashes(Warehouse(published)) == table_hashes(resources["warehouse"].get())
    brief = json.loads((tmp_path / "reports" / "2025-12-05.json").read_text())
    assert brief["published_state"]["state_id"] == 2
    assert brief["published_state"]["run_id"] == second.run_id
    assert brief["published_state"]["path"] == str(published)


def test_files_left_by_a_killed_publish_are_never_replayed_into_a_generation(
    published_after_first, source
):
    wh, published = published_after_first
    folder = generations_dir(published)
    junk = b"not a WAL of this file" * 100
    for name in ("b.tmp", "b.tmp.wal", "b.duckdb.wal"):  # as a SIGKILL mid-publish leaves
        (folder / name).write_bytes(junk)
    run(wh, source, *SECOND)
    state = publish(wh, "run-2", sessions_between(*SECOND), published=published)
    assert state.generation == "b" and state.method == "copy"
    assert not (folder / "b.tmp").exists() and not (folder / "b.duckdb.wal").exists()
    assert table_hashes(Warehouse(published)) == table_hashes(wh)


def test_the_publish_cost_bench_runs_at_a_tiny_size(tmp_path, capsys):
    from bench.publish_cost import main

    assert main(["--symbols", "20", "--years", "1", "--workdir", str(tmp_path / "cost")]) == 0
    out = capsys.readouterr().out
    assert "publish 1: full" in out and "publish 4: in place" in out


@pytest.mark.parametrize("split_leg", ["ticker", "benchmark"])
def test_a_split_that_re_bases_history_is_published_with_every_rewritten_session(
    tmp_path, split_leg
):
    """The 2025-12-05 SPDR splits landed the way the schedule does (tests/test_corporate_actions):
    the split day's run rewrites every earlier bar of those ETFs (raw.rebasings) and the marts
    built on them (marts.rebuild_log), far outside its own session. Published after every
    run, the published file equals the writer's every time; the re-based history is copied
    by ticker (as either leg of a relative-performance pair), not as whole sessions."""
    from tests.test_corporate_actions import (
        SPLIT_ETFS,
        SYMBOLS,
        SnapshotSource,
        final_bars,
        pre_split,
        split_actions,
    )

    pairs = [("SPY", t) if split_leg == "benchmark" else (t, "SPY") for t in SPLIT_ETFS]
    universe = parse_universe(
        {
            "instruments": instrument_entries(SYMBOLS),
            "universes": {"sectors": {"members": SPLIT_ETFS, "breadth": True}},
            "relative_pairs": [{"ticker": t, "benchmark": b} for t, b in pairs],
        }
    )

    first, last = date(2025, 11, 3), date(2025, 12, 9)
    bars = final_bars(SYMBOLS, first, last)
    source = SnapshotSource(lambda basis: pre_split(bars, basis), split_actions())
    wh = Warehouse(tmp_path / "writer" / "wh.duckdb")
    published = tmp_path / "warehouse.duckdb"
    ranges = [(first, date(2025, 12, 3))] + [
        (d, d) for d in sessions_between(date(2025, 12, 4), last)
    ]
    for i, (a, b) in enumerate(ranges, start=1):
        # each run at its own time, as runs are (with one clock for all, every log row is
        # stamped at the last state's mark and copied again)
        now = NOW + timedelta(hours=i)
        run_pipeline(wh, source, universe, a, b, now=now, use_gx=False, run_id=f"run-{i}")
        state = publish(wh, f"run-{i}", sessions_between(a, b), published=published)
        assert table_hashes(Warehouse(published)) == table_hashes(wh), state.label()
        if i > 2:  # a daily run (the states it is published over: this one and the one before)
            # whole sessions: only the run's own and the previous run's, even on the split
            # day; the re-based history is copied by ticker
            assert state.delta_sessions <= 2 * 3, state.label()
    with wh.connect(read_only=True) as con:
        assert con.sql("SELECT count(*) FROM raw.rebasings").fetchall()[0][0] > 0
        scoped = con.sql(
            "SELECT count(*) FROM marts.rebuild_log WHERE rebuilt_tickers IS NOT NULL"
        ).fetchall()[0][0]
    assert scoped > 0  # the split re-based the ETFs' history: scoped rebuilds


def test_a_dividend_applied_by_scale_is_published_as_every_reader_of_the_writer_sees_it(
    tmp_path,
):
    """SPY's 2025-12-19 dividend goes ex on a daily run's session: the landing multiplies
    SPY's ``raw.adj_close_scale`` and rewrites none of its history. Published after every
    run, the published file holds the writer's stored tables and scale (content hashes
    equal), its views read every earlier ``adj_close`` on the new basis as the writer's
    do, and the daily publish copies only whole sessions of its own runs."""
    from tests.test_corporate_actions import SPY_UNIVERSE, SnapshotSource, spy_dividend

    first, last = date(2025, 12, 1), date(2025, 12, 22)
    _, ex_date, delivered, actions = spy_dividend(first, last)
    wh = Warehouse(tmp_path / "writer" / "wh.duckdb")
    published = tmp_path / "warehouse.duckdb"
    days = sessions_between(ex_date - timedelta(days=2), last)  # the ex-date a daily run
    ranges = [(first, days[0] - timedelta(days=1)), *((d, d) for d in days)]
    read = (
        "SELECT b.ticker, b.session_date, b.adj_close, r.adj_close FROM raw.daily_bars AS b "
        "JOIN marts.daily_returns AS r USING (ticker, session_date) ORDER BY ALL"
    )
    for i, (a, b) in enumerate(ranges, start=1):
        now = NOW + timedelta(hours=i)
        run_pipeline(wh, SnapshotSource(delivered, actions), SPY_UNIVERSE, a, b, now=now,
                     use_gx=False, run_id=f"run-{i}")  # fmt: skip
        state = publish(wh, f"run-{i}", sessions_between(a, b), published=published)
        assert table_hashes(Warehouse(published)) == table_hashes(wh), state.label()
        with wh.connect(read_only=True) as con:
            want = con.execute(read).fetchall()
        with duckdb.connect(str(published), read_only=True) as con:
            assert con.execute(read).fetchall() == want, state.label()
        if i > 1:  # the daily runs since the generation's state (of three), never the history
            assert state.delta_sessions <= min(i - 1, 3), state.label()
    with wh.connect(read_only=True) as con:
        scaled = con.execute("SELECT ticker FROM raw.adj_close_scale").fetchall()
        by = con.execute("SELECT rebased_by FROM raw.rebasings").fetchall()
    assert scaled == [("SPY",)] and by == [("scale",)]


def test_a_footnote_is_re_derived_from_the_state_its_brief_names_after_a_restatement(tmp_path):
    """Point in time: a brief built at state 1 names it; ^GSPC's last session is restated and
    published (state 2), a later run is published (state 3); every figure of the first brief
    is then re-derived from state 1 exactly as printed, and the restated ones from state 2 as
    its brief printed them. With three states kept, the fourth publish lets state 1 go, and
    opening it says which states are kept."""
    from bellwether.brief.build import build_brief, figure_value
    from bellwether.universe import parse_universe
    from tests.faults_support import BANKS, MARKET, instrument_entries

    # the fault tests' market and banks, with the universes the brief reads
    universe = parse_universe({
        "instruments": instrument_entries([*MARKET, *BANKS]),
        "universes": {"market": {"members": MARKET, "breadth": True},
                      "indices": {"members": MARKET[:4]}, "broad_etfs": {"members": MARKET[4:8]},
                      "sector_etfs": {"members": MARKET[8:]}, "banks": {"members": BANKS}},
        "relative_pairs": [{"ticker": "^RUT", "benchmark": "^GSPC"}],
    })  # fmt: skip
    bars = sample_bars(universe.symbols, FIRST, SECOND[1])
    folder = write_files_source(tmp_path / "src", bars)
    wh = Warehouse(tmp_path / "writer" / "wh.duckdb")
    published = tmp_path / "warehouse.duckdb"

    def run(wh: Warehouse, folder: Path, first: date, last: date) -> None:
        run_pipeline(wh, files_source(folder), universe, first, last, now=NOW, use_gx=False)

    def brief(n: int) -> dict:
        _, paths = build_brief(Warehouse(published), LAST, universe, tmp_path / f"r{n}")
        doc = json.loads(paths["json"].read_text())
        assert doc["figures"], doc["sections"]
        return doc

    run(wh, folder, FIRST, LAST)
    publish(wh, "run-1", sessions_between(FIRST, LAST), published=published, keep=3)
    first = brief(1)
    assert first["published_state"]["state_id"] == 1
    hit = (bars["ticker"] == MARKET[0]) & (bars["date"] == LAST)
    restated = bars.with_columns(
        [bars[c].zip_with(~hit, bars[c] * 1.01).alias(c)
         for c in ("open", "high", "low", "close", "adj_close")]
    )  # fmt: skip
    write_files_source(folder, restated)
    run(wh, folder, LAST, LAST)
    publish(wh, "run-2", [LAST], published=published, keep=3)
    second = brief(2)
    assert second["published_state"]["state_id"] == 2
    run(wh, folder, *SECOND)
    publish(wh, "run-3", sessions_between(*SECOND), published=published, keep=3)
    assert [s.state_id for s in kept_states(published)] == [1, 2, 3]

    def where(f: dict) -> tuple:
        return f["query"], json.dumps(f["params"], sort_keys=True), json.dumps(f["key"], sort_keys=True), f["column"]  # fmt: skip

    restated_values = {where(g): g["value"] for g in second["figures"]}
    changed = {where(f) for f in first["figures"]
               if where(f) in restated_values and restated_values[where(f)] != f["value"]}  # fmt: skip
    assert changed, "the restatement changes some figure of the brief"
    for doc in (first, second):
        con = open_state(doc["published_state"]["state_id"], published)
        try:
            for f in doc["figures"]:
                assert figure_value(con, f) == f["value"], (f["number"], where(f))
        finally:
            con.close()
    with Warehouse(published).connect(read_only=True) as now:  # the latest state: restated
        for f in first["figures"]:
            if where(f) in changed:
                assert figure_value(now, f) != f["value"]
    env = {**os.environ, "BELLWETHER_PUBLISHED": str(published)}
    bw = Path(sys.executable).parent / "bellwether"
    out = subprocess.run([bw, "sql", "--state", "1", "-csv", "-noheader", "-c",
                          "SELECT state_id FROM meta.published_state"],
                         capture_output=True, text=True, env=env, timeout=600)  # fmt: skip
    assert out.returncode == 0 and out.stdout.strip() == "1", out.stderr
    listed = subprocess.run([bw, "states"], capture_output=True, text=True, env=env, timeout=600)
    assert [x.split()[1] for x in listed.stdout.splitlines()] == ["1", "2", "3"]
    publish(wh, "run-4", [], published=published, keep=3)
    assert [s.state_id for s in kept_states(published)] == [2, 3, 4]
    gone = subprocess.run([bw, "sql", "--state", "1", "-c", "SELECT 1"],
                          capture_output=True, text=True, env=env, timeout=600)  # fmt: skip
    assert gone.returncode == 1 and "kept now: 2, 3, 4" in gone.stderr
    assert len(list(generations_dir(published).glob("*.duckdb"))) == 3
    with pytest.raises(StateNotKept, match="kept now: 2, 3, 4"):
        open_state(1, published)
    # a state never published is not "no longer kept"
    for never in (0, -1, 5):
        with pytest.raises(StateNotKept, match=f"state {never} does not exist: .* latest is 4"):
            open_state(never, published)


def test_a_run_never_publishes_another_runs_half_done_writes_it_defers_to_that_run(
    published_after_first, source
):
    """Interleaved runs (a backfill and the schedule taking turns on the writer pool): run A
    has landed and is still writing when run B finishes and publishes. B's publish is
    deferred (nothing published, B recorded), A's publish afterwards holds both and names B
    in ``absorbed``; B's unfinished run (its brief step) does not hold A's publish back."""
    from bellwether.publish import PublishDeferred, is_deferred

    wh, published = published_after_first
    before = table_hashes(Warehouse(published))
    in_progress = {"run-A", "run-B"}

    def still_writing(runs: set[str]) -> set[str]:
        return runs & in_progress

    run_pipeline(wh, files_source(source), small_universe(), *THIRD, now=NOW, use_gx=False,
                 run_id="run-A")  # fmt: skip  # A's steps so far
    run_pipeline(wh, files_source(source), small_universe(), *SECOND, now=NOW, use_gx=False,
                 run_id="run-B")  # fmt: skip  # B, whole
    with pytest.raises(PublishDeferred, match="run-A") as exc:
        publish(wh, "run-B", sessions_between(*SECOND), published=published,
                still_writing=still_writing)  # fmt: skip
    assert exc.value.runs == {"run-A"}
    assert current_state(published).state_id == 1 and is_deferred("run-B", published)
    assert table_hashes(Warehouse(published)) == before  # nothing of A or B is visible
    state = publish(wh, "run-A", sessions_between(*THIRD), published=published,
                    still_writing=still_writing)  # fmt: skip  # B is done writing
    assert state.state_id == 2 and state.run_id == "run-A"
    assert state.absorbed == {"run-B": [d.isoformat() for d in sessions_between(*SECOND)]}
    assert current_state(published).absorbed == state.absorbed
    assert not is_deferred("run-B", published)
    assert table_hashes(Warehouse(published)) == table_hashes(wh)
    # a run that has ended (failed included) no longer holds anyone's publish back
    in_progress.clear()
    run(wh, source, *SECOND)
    assert publish(wh, "run-C", [], published=published, still_writing=still_writing).state_id == 3


def test_a_late_symbol_and_a_gap_are_published_with_every_row_the_runs_rewrote(tmp_path):
    """A member withheld on one session (its download failed) has no state to continue from
    on the next: the streaks and technicals builds rebuild its kept state from its first row,
    and log it (``marts.rebuild_log``, ``rebuilt_tickers``); the late session, landed
    afterwards, rebuilds its suffix scoped to it. Published after every run (each at its own
    time), the published file equals the writer's, while whole sessions are copied only for
    the runs' own sessions."""
    from tests.test_any_order import UNIVERSE, FrameSource

    source = FrameSource()
    wh = Warehouse(tmp_path / "writer" / "wh.duckdb")
    published = tmp_path / "warehouse.duckdb"
    days = sessions_between(date(2025, 12, 1), date(2026, 1, 9))
    late, after = days[-3], days[-2]
    steps = [((days[0], days[-4]), set()), ((late, late), {"AAPL"}), ((after, after), set()),
             ((late, late), set()), ((days[-1], days[-1]), set())]  # fmt: skip
    for i, ((a, b), withheld) in enumerate(steps, start=1):
        source.withheld = withheld
        run_pipeline(wh, source, UNIVERSE, a, b, now=NOW + timedelta(hours=i), use_gx=False,
                     run_id=f"run-{i}")  # fmt: skip
        state = publish(wh, f"run-{i}", sessions_between(a, b), published=published)
        assert table_hashes(Warehouse(published)) == table_hashes(wh), state.label()
        if i > 1:
            assert state.delta_sessions <= 3 * (b - a).days + 6, state.label()
    with wh.connect(read_only=True) as con:
        restarted = con.sql(
            "SELECT mart, list_sort(rebuilt_tickers) FROM marts.rebuild_log "
            "WHERE reason LIKE 'kept state rebuilt from the first row%' AND run_id = 'run-3'"
        ).fetchall()
    assert ("streaks", ["AAPL"]) in restarted


def test_a_restated_benchmark_is_published_in_the_pairs_that_use_it(tmp_path):
    """Yahoo restates an old close of XLF, the benchmark of the pair HBAN/XLF; the user
    re-lands that session. The relative-performance rows of the pair from that session on
    (ticker HBAN) are rebuilt by a build scoped to XLF, and the publish copies them by either
    leg of the pair: the published file equals the writer's."""
    from tests.test_any_order import UNIVERSE, FrameSource

    source = FrameSource()
    wh = Warehouse(tmp_path / "writer" / "wh.duckdb")
    published = tmp_path / "warehouse.duckdb"
    days = sessions_between(date(2025, 12, 1), date(2026, 1, 9))
    restated = days[5]
    run_pipeline(wh, source, UNIVERSE, days[0], days[-1], now=NOW, use_gx=False, run_id="run-1")
    publish(wh, "run-1", days, published=published)
    source.restate("XLF", restated, 1.02)
    run_pipeline(wh, source, UNIVERSE, restated, restated, now=NOW + timedelta(hours=1),
                 use_gx=False, run_id="run-2")  # fmt: skip
    state = publish(wh, "run-2", [restated], published=published)
    assert table_hashes(Warehouse(published)) == table_hashes(wh), state.label()
    with wh.connect(read_only=True) as con:
        scoped = con.sql(
            "SELECT list_sort(rebuilt_tickers) FROM marts.rebuild_log "
            "WHERE run_id = 'run-2' AND mart = 'relative_performance' AND first_session = $1",
            params=[restated],
        ).fetchall()
    assert (["XLF"],) in scoped  # rebuilt for the benchmark leg, by ticker


def test_publishes_without_writes_of_their_own_do_not_copy_the_last_run_again(source, tmp_path):
    """A publish with no run writing before it (the weekly compaction's, `bellwether
    publish`) records the same watermarks as the state before it. The rows stamped exactly
    at a watermark are the runs' that those states published (with this fixed clock every
    run stamps the same time): the publishes after it copy nothing of them again."""
    wh = Warehouse(tmp_path / "writer" / "wh.duckdb", lock_timeout_s=2.0)
    published = tmp_path / "warehouse.duckdb"
    for run_id, (first, last) in (("run-1", (FIRST, LAST)), ("run-2", SECOND)):
        run_pipeline(wh, files_source(source), small_universe(), first, last, now=NOW,
                     use_gx=False, run_id=run_id)  # fmt: skip
        publish(wh, run_id, sessions_between(first, last), published=published, keep=2)
    copied = []
    for i in range(4):  # generations a and b twice each, in place
        state = publish(wh, f"manual-{i}", [], published=published, keep=2)
        copied.append((state.method, state.delta_sessions))
        assert table_hashes(Warehouse(published)) == table_hashes(wh)
    # the first copies run-2's sessions into the generation that held run-1's state; after
    # that nothing (before: run-1's and run-2's sessions again at every publish)
    assert copied == [("in place", 5), ("in place", 0), ("in place", 0), ("in place", 0)]


def test_a_table_not_keyed_by_session_is_copied_only_when_its_rows_changed(source, tmp_path):
    """Tables not keyed by session (the corporate actions, the re-basing log, the landing
    log, the instruments, ...) used to be copied whole by every publish, 0.6 s of each at
    3,000 stocks x 25 years. A generation that already holds the writer's rows of one
    (same count, same sum of row hashes) keeps them; one that lacks only rows the writer
    appended gets those: a publish with nothing new copies none whole, one after a landing
    adds the landing's log row, and the published content equals the writer's either
    way."""
    wh = Warehouse(tmp_path / "writer" / "wh.duckdb", lock_timeout_s=2.0)
    published = tmp_path / "warehouse.duckdb"
    copied: list[str] = []
    real = publish_module._table_sql

    def spy(name: str, table: str) -> str:
        if name in ("copy_table", "copy_new_rows"):
            copied.append(f"{name} {table}")
        return real(name, table)

    def land_and_publish(run_id: str, first: date, last: date) -> list[str]:
        run_pipeline(wh, files_source(source), small_universe(), first, last, now=NOW,
                     use_gx=False, run_id=run_id)  # fmt: skip
        return publish_twice(run_id, sessions_between(first, last))

    def publish_twice(run_id: str, sessions: list[date]) -> list[str]:
        copied.clear()
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(publish_module, "_table_sql", spy)
            publish(wh, run_id, sessions, published=published, keep=2)
            assert table_hashes(Warehouse(published)) == table_hashes(wh)
            publish(wh, f"{run_id}-again", [], published=published, keep=2)
            assert table_hashes(Warehouse(published)) == table_hashes(wh)
        return list(copied)

    land_and_publish("run-1", FIRST, LAST)
    after_second = land_and_publish("run-2", *SECOND)
    # the second run's publish adds its landing's log row to each generation (the second
    # generation, a copy of the first, is behind by it too); nothing is copied whole
    assert after_second.count("copy_new_rows raw.ingest_runs") == 2
    assert not [c for c in after_second if c.startswith("copy_table")]
    assert not [c for c in after_second if "raw.instruments" in c or "relative_pairs" in c]
    assert publish_twice("manual", []) == []  # nothing new: nothing copied
    # a row changed in place (an instrument renamed): that table is copied whole, in place
    with wh.connect() as con:
        con.execute("UPDATE raw.instruments SET name = 'renamed' WHERE ticker = 'SPY'")
    copied.clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(publish_module, "_table_sql", spy)
        state = publish(wh, "renamed", [], published=published, keep=2)
    assert (state.method, copied) == ("in place", ["copy_table raw.instruments"])
    assert table_hashes(Warehouse(published)) == table_hashes(wh)


def test_sql_help_says_what_it_opens_even_before_anything_is_published(
    tmp_path, monkeypatch, capsys
):
    """``bellwether sql --help`` printed "does not exist yet" on a new machine: the help is
    the command's own, and names the file it would open."""
    from orchestration.cli import main

    monkeypatch.setenv("BELLWETHER_PUBLISHED", str(tmp_path / "warehouse.duckdb"))
    for flag in ("--help", "-h"):
        assert main(["sql", flag]) == 0
        out = capsys.readouterr().out
        assert out.startswith("usage: bellwether sql [--state N]")
        assert str(tmp_path / "warehouse.duckdb") in out
