"""Soak: a multi-year backfill, then simulated daily runs with random re-runs, restatements
and interruptions, every invariant checked after every day.

The universe is the fault tests' small one (``tests/faults_support.py``) over the bundled
sample, delivered as a files source. The daily sessions are the last
``BELLWETHER_SOAK_DAYS`` sessions up to 2026-01-30 (the end of the bundled constituents;
default 50, the specified size: about 2.5 minutes of CPU on the small universe);
the backfill is two runs over every session from 2024-01-02 before them (about 1.8 years),
the later half first and the earlier half afterwards (the any-order rule rebuilds the later
marts when the earlier bars arrive).
Each simulated day runs at 23:00 UTC of its session (after the close) what the Dagster job
runs (``run_pipeline``: land, raw checks, marts, mart checks; GX off for time), and, drawn
from ``random.Random(BELLWETHER_SOAK_SEED)`` (default 7), and each forced once on a fixed
day (:data:`FORCED`) so that every size and seed exercises every fault:

* an interruption first: a crash at a random step boundary (the warehouse refuses every
  connection after the k-th) or a real SIGKILL of a child process running the day at a
  random moment; the retry that follows must complete the day;
* a re-run of the same day: no table's content hash
  (:func:`bellwether.integrity.table_hashes`) may change; a re-run of a random earlier
  window: no raw or dq table may change, and the marts only in the last bits of rolling
  sums (rel. 1e-9: a window's lookback starts elsewhere than the day's run's did);
* a restatement: the source corrects one ticker's bar of the day, the re-run records it in
  ``raw.restatements`` and fails the ``restatement`` check (warning) naming it;
* a late symbol: the source has no bar of one ticker for the day; the next day the bar
  appears and the previous day runs again before the new one (as the catch-up does).

Every weekend (before the first session of a week) the weekly compaction runs as its job
does (``bellwether.compaction.compact``, then a publish), forced on every session table (the
small universe fits one row group, so no table reaches the threshold by itself): it must
change no content but its own log, and the runs after it go on as before.

After every day: no duplicate key (nor identical reject twice), every raw and mart check
recorded for every landed session, and every mart equal to one full recompute of every
landed session into a copy (after every interruption, every ``BELLWETHER_SOAK_FULL_EVERY``
days, default 10, and on the last day). Every run publishes as the Dagster job does, and a
reader process reconnects to the published warehouse every 50 ms from the first publish to
the end: no read fails, and every read equals a published state exactly (its id and the
content hash of ``marts.daily_returns``). Longer local soaks, e.g.
``BELLWETHER_SOAK_DAYS=200 BELLWETHER_SOAK_SEED=3 BELLWETHER_SOAK_FULL_EVERY=1``
(at most 272: the backfill keeps at least a year of sessions).
"""

from __future__ import annotations

import os
import random
import signal
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime
from datetime import time as clock

import duckdb
import polars as pl
import pytest

from bellwether.calendar import previous_session, sessions_between
from bellwether.compaction import compact
from bellwether.integrity import table_hashes
from bellwether.pipeline import run_pipeline
from bellwether.publish import publish
from bellwether.warehouse import Warehouse
from tests.faults_support import (
    BANKS,
    MARKET,
    STOCKS,
    assert_equals_full_recompute,
    assert_marts_equal,
    duplicate_keys,
    files_source,
    marts_of,
    missing_checks,
    read_table,
    sample_actions,
    sample_bars,
    small_universe,
    start_child_run,
    write_files_source,
)
from tests.test_publish import Poller, digest_of

pytestmark = [pytest.mark.slow, pytest.mark.soak]  # make soak, not make test

DAYS = int(os.environ.get("BELLWETHER_SOAK_DAYS", "50"))
SEED = int(os.environ.get("BELLWETHER_SOAK_SEED", "7"))
FULL_EVERY = int(os.environ.get("BELLWETHER_SOAK_FULL_EVERY", "10"))
FIRST, LAST = date(2024, 1, 2), date(2026, 1, 30)
#: Chances per day.
P_CRASH, P_KILL, P_RERUN_SAME, P_RERUN_PAST, P_RESTATE = 0.08, 0.06, 0.08, 0.08, 0.06
#: Writable connections one run opens at most (landing, reference, checks, marts, mart checks).
CONNECTIONS_PER_RUN = 22
#: Faults forced on these days (index into the daily sessions), whatever the draws say, so
#: that every size and seed exercises each of them at least once.
FORCED = {
    3: "crash", 6: "sigkill", 9: "rerun_same", 12: "rerun_past", 15: "restatement", 17: "late",
}  # fmt: skip
P_LATE = 0.05


class SimulatedCrash(RuntimeError):
    """The process 'died' between two transactions."""


class CrashingWarehouse(Warehouse):
    """The real warehouse, whose process dies before its ``crash_after+1``-th writable
    connection: a crash at a step boundary (a SIGKILL mid-step is the other fault)."""

    def __init__(self, path, crash_after: int) -> None:
        super().__init__(path)
        self.left = crash_after

    @contextmanager
    def connect(self, *, read_only: bool = False):
        if not read_only:
            if self.left <= 0:
                raise SimulatedCrash("simulated crash before a write")
            self.left -= 1
        with super().connect(read_only=read_only) as con:
            yield con


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


def evening(session: date) -> datetime:
    return datetime.combine(session, clock(23, 0), UTC)


def test_soak_daily_runs_with_reruns_restatements_and_interruptions(tmp_path):
    rng = random.Random(SEED)
    universe = small_universe()
    symbols = [*MARKET, *BANKS, *STOCKS]
    all_sessions = sessions_between(FIRST, LAST)
    assert 19 <= DAYS <= len(all_sessions) - 250, "19 days to force every fault; a year of backfill"
    days = all_sessions[-DAYS:]
    bars = sample_bars(symbols, FIRST, LAST)
    folder = write_files_source(tmp_path / "source", bars, sample_actions(symbols))
    wh = Warehouse(tmp_path / "wh.duckdb")
    source = files_source(folder)

    published = tmp_path / "published" / "warehouse.duckdb"
    states: dict[int, str] = {}  # every published state: its id -> content hash

    def record_published() -> None:
        if published.exists():
            con = duckdb.connect(str(published), read_only=True)
            try:
                state = con.execute("SELECT state_id FROM meta.published_state").fetchone()
            finally:
                con.close()
            states[state[0]] = digest_of(published)

    def run(first: date, last: date, now: datetime, warehouse: Warehouse = wh):
        try:
            return run_pipeline(warehouse, source, universe, first, last, now=now,
                                use_gx=False, published=published)  # fmt: skip
        finally:  # what is published now (a crash may come after its publish swapped)
            record_published()

    def weekly_compaction(week: int) -> None:
        before = table_hashes(wh)
        found, done = compact(wh, f"compact-{week}", force=True)
        assert {c.before.table for c in done} == {f.table for f in found if f.table_rows}
        after = table_hashes(wh)
        assert changed_tables(before, after) == ["dq.table_compactions"], week
        publish(wh, f"compact-{week}", [], published=published)
        record_published()
        assert table_hashes(Warehouse(published)) == after

    started = time.monotonic()
    backfill_end = previous_session(days[0])
    middle = sessions_between(FIRST, backfill_end)[len(sessions_between(FIRST, backfill_end)) // 2]
    run(middle, backfill_end, evening(backfill_end))  # the later half first,
    run(FIRST, previous_session(middle), evening(backfill_end))  # then the earlier half
    poller = Poller(published)  # a SQL user reconnecting every 50 ms from now on
    events: dict[str, int] = {"earlier_after_later": 1}
    restated: set[date] = set()
    late: tuple[date, pl.DataFrame] | None = None

    def note(event: str) -> None:
        events[event] = events.get(event, 0) + 1

    for n, day in enumerate(days):
        now = evening(day)
        forced = FORCED.get(n)
        if n and day.isocalendar().week != days[n - 1].isocalendar().week:
            weekly_compaction(n)
            note("compaction")
        if late is not None:  # yesterday's missing bar has arrived: yesterday runs again
            late_day, held = late
            bars = pl.concat([bars, held]).sort("ticker", "date")
            write_files_source(folder, bars)
            run(late_day, late_day, now)
            late = None
            note("late_symbol")
        held_back = None
        if n < len(days) - 1 and (rng.random() < P_LATE or forced == "late"):
            ticker = rng.choice(BANKS)
            hit = (pl.col("ticker") == ticker) & (pl.col("date") == day)
            late, bars = (day, bars.filter(hit)), bars.filter(~hit)
            write_files_source(folder, bars)
            held_back = ticker
        draw = rng.random()
        if forced in ("crash", "sigkill"):
            draw = P_CRASH / 2 if forced == "crash" else P_CRASH + P_KILL / 2
        interrupted = draw < P_CRASH + P_KILL
        if draw < P_CRASH:
            with pytest.raises(SimulatedCrash):
                run(day, day, now, CrashingWarehouse(wh.path, rng.randrange(CONNECTIONS_PER_RUN)))
            note("crash")
        elif draw < P_CRASH + P_KILL:
            child = start_child_run(wh.path, folder, day, day, now)
            time.sleep(rng.uniform(0.0, 1.5))
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=60)
            note("sigkill")
        report = run(day, day, now).landing  # the day's run, or the retry that completes it
        assert report.failed == {} or set(report.failed) <= {*STOCKS, held_back}, report.failed

        if rng.random() < P_RERUN_SAME or forced == "rerun_same":
            before = table_hashes(wh)
            run(day, day, now)
            assert changed_tables(before, table_hashes(wh)) == [], f"re-running {day}"
            note("rerun_same")
        if n >= 5 and (rng.random() < P_RERUN_PAST or forced == "rerun_past"):
            start = rng.randrange(n - 4)
            window = days[start : start + rng.randint(1, 4)]
            if not restated & set(window):  # re-landing a restated session clears its flag
                before, marts = table_hashes(wh), marts_of(wh)
                run(window[0], window[-1], now)
                # nothing changed, so nothing is rewritten (the marts' diff replaces)
                assert changed_tables(before, table_hashes(wh)) == [], window
                assert_marts_equal(marts_of(wh), marts)
                note("rerun_past")
        if rng.random() < P_RESTATE or forced == "restatement":
            ticker = rng.choice([*BANKS, *MARKET[4:]])
            hit = (pl.col("ticker") == ticker) & (pl.col("date") == day)
            bars = bars.with_columns(
                [pl.when(hit).then(pl.col(c) * 1.01).otherwise(pl.col(c)).alias(c)
                 for c in ("open", "high", "low", "close", "adj_close")]
            )  # fmt: skip
            write_files_source(folder, bars)
            run(day, day, now)
            restatements = read_table(wh, "raw.restatements").filter(
                (pl.col("ticker") == ticker) & (pl.col("session_date") == day)
            )
            assert restatements.height == 1
            check = read_table(wh, "dq.check_results").filter(
                (pl.col("session_date") == day) & (pl.col("check") == "restatement")
            )
            assert not check["passed"][0] and check["failing_tickers"][0].to_list() == [ticker]
            restated.add(day)
            note("restatement")

        assert duplicate_keys(wh) == {}, day
        assert missing_checks(wh, use_gx=False) == [], day
        if interrupted or (n + 1) % FULL_EVERY == 0 or day == days[-1]:
            assert_equals_full_recompute(wh, universe, tmp_path / "recompute")

    polled, poll_errors = poller.stop()
    assert poll_errors == []  # no lock error, no error of any kind
    assert polled and set(polled) <= set(states.items())  # only published states were read
    seen = [state for state, _ in polled]
    assert seen == sorted(seen) and seen[-1] == max(states)
    landed = read_table(wh, "raw.daily_bars")["session_date"].unique()
    assert landed.min() == FIRST and landed.max() == days[-1]
    assert landed.len() == len(sessions_between(FIRST, days[-1]))
    print(f"soak: {DAYS} days, seed {SEED}, events {events}, {time.monotonic() - started:.0f}s")
    assert set(events) == {
        "crash", "sigkill", "rerun_same", "rerun_past", "restatement", "earlier_after_later",
        "late_symbol", "compaction",
    }  # fmt: skip
