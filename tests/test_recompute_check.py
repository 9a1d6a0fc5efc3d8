"""The ``recompute`` check of a run, and the weekly ``recompute_full_history`` audit.

A run that changed nothing before the mart's last 63 sessions (a daily run, a catch-up) is
checked by rebuilding a sample of tickers over those sessions in ONE build from the stored
state before them: its cost does not grow with history. A run that changed older rows (a
backfill, a restatement) and the weekly audit recompute the sample from each one's first
bar and compare every stored row. A defect outside the window is the audit's to find.

The warehouse: the small universe of ``tests/test_incremental.py`` over the bundled sample,
every mart built session range by range (so the stored rows were not built in one go).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bellwether.calendar import sessions_between
from bellwether.landing import land_fetch
from bellwether.pipeline import build_marts
from bellwether.reference import refresh_reference_tables
from bellwether.sources.bundled import BundledSource
from bellwether.warehouse import Warehouse, stored_table
from checks.run import (
    RECOMPUTE_SAMPLE,
    RECOMPUTE_WINDOW,
    recompute_window_start,
    run_recompute_check,
)
from tests.faults_support import copy_warehouse
from tests.test_incremental import UNIVERSE

FIRST, LAST = date(2025, 1, 2), date(2025, 12, 31)
SESSIONS = sessions_between(FIRST, LAST)
#: (mart, a column to corrupt, a ticker with rows in it on every session)
MARTS = [
    ("daily_returns", "ret_1d", "SPY"),
    ("streaks", "up_streak", "SPY"),
    ("technicals", "sma_20", "SPY"),
    ("relative_performance", "outperf_streak", "IWM"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    from tests.conftest import NOW

    path = tmp_path_factory.mktemp("recompute") / "warehouse.duckdb"
    wh = Warehouse(path)
    fetched = BundledSource().fetch(UNIVERSE.symbols, date(2024, 1, 2), LAST, now=NOW)
    land_fetch(wh, fetched, sessions=sessions_between(date(2024, 1, 2), LAST),
               symbols=UNIVERSE.symbols, now=NOW)  # fmt: skip
    refresh_reference_tables(wh, UNIVERSE)
    # built in three runs, the last one a single session, as the schedule builds them
    build_marts(wh, date(2024, 1, 2), date(2025, 6, 30), UNIVERSE)
    build_marts(wh, date(2025, 7, 1), SESSIONS[-2], UNIVERSE)
    build_marts(wh, LAST, LAST, UNIVERSE)
    return path


@pytest.fixture
def wh(built: Path, tmp_path: Path) -> Warehouse:
    return copy_warehouse(Warehouse(built), tmp_path)


def check(wh: Warehouse, mart: str, ticker: str, **kwargs):
    result = run_recompute_check(
        wh, f"marts/{mart}", UNIVERSE, written=[LAST], tickers=[ticker], run_id="r1", **kwargs
    ).results
    assert result.height == 1
    return result.row(0, named=True)


def corrupt(wh: Warehouse, mart: str, column: str, session: date) -> None:
    with wh.transaction() as con:
        n = con.execute(
            f"UPDATE {stored_table(f'marts.{mart}')} SET {column} = {column} + 7 "
            "WHERE session_date = ?",
            [session],
        ).fetchall()[0][0]
    assert n > 0


def test_the_window_is_the_last_63_sessions():
    assert RECOMPUTE_WINDOW == 63
    assert recompute_window_start(LAST) == SESSIONS[-63]


@pytest.mark.parametrize(("mart", "column", "ticker"), MARTS)
def test_a_daily_run_is_checked_over_the_window_from_the_stored_state(wh, mart, column, ticker):
    row = check(wh, mart, ticker, changed_from=LAST)
    assert row["passed"], row["message"]
    assert row["check"] == "recompute"
    assert row["message"] == (
        "stored rows equal one build of the last sessions from the stored state before them"
    )
    assert row["session_date"] == LAST


@pytest.mark.parametrize(("mart", "column", "ticker"), MARTS)
def test_a_wrong_row_inside_the_window_fails_the_daily_check(wh, mart, column, ticker):
    corrupt(wh, mart, column, SESSIONS[-10])
    row = check(wh, mart, ticker, changed_from=LAST)
    assert not row["passed"]
    assert column in row["message"] and str(SESSIONS[-10]) in row["message"]


@pytest.mark.parametrize(("mart", "column", "ticker"), MARTS)
def test_a_wrong_row_before_the_window_is_found_by_the_full_history_audit(wh, mart, column, ticker):
    old = SESSIONS[-100]
    corrupt(wh, mart, column, old)
    # the daily check does not read it (by design: its cost does not grow with history)
    assert check(wh, mart, ticker, changed_from=LAST)["passed"]
    audit = check(wh, mart, ticker, full_history=True)
    assert audit["check"] == "recompute_full_history"
    assert not audit["passed"]
    assert column in audit["message"] and str(old) in audit["message"]
    # and so does the check of a run that changed rows before the window (a backfill)
    backfill = check(wh, mart, ticker, changed_from=old)
    assert backfill["check"] == "recompute" and not backfill["passed"]
    assert "a recompute from raw bars" in backfill["message"]


@pytest.mark.parametrize(("mart", "column", "ticker"), MARTS)
def test_a_ticker_whose_history_the_run_rebuilt_is_checked_over_it(wh, mart, column, ticker):
    """A daily run that also rebuilt one ticker's history (a split) checks that ticker
    from its first bar and the drawn sample over the window only."""
    old = SESSIONS[-100]
    corrupt(wh, mart, column, old)  # every ticker's row of a session before the window
    row = check(wh, mart, "SPY", changed_from=LAST, rebuilt={ticker: SESSIONS[0]})
    assert row["check"] == "recompute" and not row["passed"]
    assert "a recompute from raw bars and one build of the last sessions" in row["message"]
    assert f"tickers {ticker}; tickers " in row["message"]
    assert column in row["message"] and str(old) in row["message"]
    # the same ticker rebuilt from a session inside the window is checked over the window
    recent = check(wh, mart, "SPY", changed_from=LAST, rebuilt={ticker: SESSIONS[-5]})
    assert recent["passed"], recent["message"]


def test_of_many_rebuilt_tickers_a_drawn_few_are_checked_from_raw(wh):
    rebuilt = dict.fromkeys(UNIVERSE.symbols, SESSIONS[0])
    corrupt(wh, "daily_returns", "ret_1d", SESSIONS[-100])
    row = check(wh, "daily_returns", "SPY", changed_from=LAST, rebuilt=rebuilt)
    assert not row["passed"]
    named = row["message"].split("(tickers ", 1)[1].split(";", 1)[0].split(", ")
    assert len(named) == RECOMPUTE_SAMPLE and set(named) <= set(UNIVERSE.symbols)


def test_a_run_without_its_earliest_change_is_checked_over_the_full_history(wh):
    row = check(wh, "technicals", "SPY")
    assert row["passed"] and row["message"] == "stored rows equal a recompute from raw bars"


def test_a_warehouse_from_before_the_record_state_gets_it_from_its_bars(wh):
    """``bars_to_date``, ``max_close_to_date`` and ``high_52w_session`` of a warehouse
    built before they existed (NULL in every row) are counted once from the bars when the
    schema is applied, equal to what the builds store, so the next daily build continues
    from them."""
    from polars.testing import assert_frame_equal

    from bellwether.warehouse import apply_schema

    keys = ["ticker", "session_date"]
    with wh.connect(read_only=True) as con:
        built = con.sql("SELECT * FROM marts.technicals").pl().sort(keys)
    assert built["max_close_to_date"].null_count() == 0
    assert built["high_52w_session"].null_count() == built["high_52w"].null_count() < built.height
    with wh.transaction() as con:
        con.execute(
            "UPDATE marts.technicals"
            " SET bars_to_date = NULL, max_close_to_date = NULL, high_52w_session = NULL"
        )
        apply_schema(con)
    with wh.connect(read_only=True) as con:
        migrated = con.sql("SELECT * FROM marts.technicals").pl().sort(keys)
    assert_frame_equal(migrated, built)
    # and the daily check of the next run, built from that state, passes
    build_marts(wh, date(2026, 1, 2), date(2026, 1, 2), UNIVERSE)
    assert check(wh, "technicals", "SPY", changed_from=date(2026, 1, 2))["passed"]


def test_a_mart_without_rows_is_checked_to_hold_none_over_the_run(tmp_path):
    """A range before any member of a breadth universe has a bar (the bundled sample's
    constituents start in June 2025): breadth builds no row, and its ``recompute`` check
    says so on the run's last session (its recompute over them holds none either) instead
    of giving no result, which failed the Dagster step of every such range."""
    from bellwether.pipeline import run_pipeline
    from bellwether.universe import default_universe
    from tests.conftest import NOW

    wh = Warehouse(tmp_path / "warehouse.duckdb")
    first, last = date(2024, 3, 1), date(2024, 3, 8)
    run_pipeline(wh, BundledSource(), default_universe(), first, last, now=NOW, use_gx=False,
                 run_id="early")  # fmt: skip
    with wh.connect(read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.breadth").fetchone()[0] == 0
        rows = con.execute(
            "SELECT session_date, passed, message FROM dq.check_results "
            "WHERE asset = 'marts/breadth' AND \"check\" = 'recompute'"
        ).fetchall()
    assert rows == [(last, True, "stored rows equal a recompute from raw bars")]


def test_a_mart_that_lost_every_row_fails_its_recompute(wh):
    """No stored row while its recompute over the run's sessions has some: a failure, not a
    missing result."""
    with wh.transaction() as con:
        con.execute("DELETE FROM marts.breadth")
    result = run_recompute_check(wh, "marts/breadth", UNIVERSE, written=[LAST], run_id="r1")
    assert result.results.height == 1
    row = result.results.row(0, named=True)
    assert row["session_date"] == LAST
    assert not row["passed"]
    assert "differ" in row["message"], row["message"]
