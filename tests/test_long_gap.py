"""A ticker with no bar for longer than the marts' lookback (253 sessions) then trading again.

Its month-to-date and year-to-date returns after the gap are measured from its last stored
close before the period, more than a year back (docs/METRICS.md, ``ret_mtd``): one full
build finds that close among the bars it reads, so a build of the sessions after the gap
(a daily run, a chunk of a backfill) must find it too, from the stored state, without
re-reading the whole history, and store the same rows.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bellwether import marts
from bellwether.calendar import sessions_between
from bellwether.landing import land_fetch
from bellwether.pipeline import build_marts
from bellwether.reference import refresh_reference_tables
from bellwether.sources.base import FetchResult
from bellwether.sources.bundled import BundledSource
from bellwether.warehouse import Warehouse
from checks.run import run_recompute_check
from tests.test_incremental import (
    FIRST,
    LAST,
    SESSIONS,
    UNIVERSE,
    assert_same_marts,
    built_in_one_run,
    fresh,
    marts_of,
)

#: RF has no bar from GAP_FROM to GAP_TO: 313 sessions, longer than the lookback.
TICKER = "RF"
GAP_FROM, GAP_TO = date(2024, 3, 1), date(2025, 5, 30)
AFTER = date(2025, 6, 2)  # RF's first bar after the gap


@pytest.fixture(scope="module")
def landed(tmp_path_factory) -> Path:
    from tests.conftest import NOW

    path = tmp_path_factory.mktemp("long_gap") / "warehouse.duckdb"
    wh = Warehouse(path)
    fetched = BundledSource().fetch(UNIVERSE.symbols, FIRST, LAST, now=NOW)
    in_gap = (pl.col("ticker") == TICKER) & pl.col("session_date").is_between(GAP_FROM, GAP_TO)
    bars = fetched.bars.filter(~in_gap)
    assert fetched.bars.height - bars.height == len(sessions_between(GAP_FROM, GAP_TO)) > 253
    land_fetch(
        wh,
        FetchResult(fetched.source, bars, fetched.actions, fetched.failed),
        sessions=SESSIONS,
        symbols=UNIVERSE.symbols,
        now=NOW,
    )
    refresh_reference_tables(wh, UNIVERSE)
    return path


@pytest.fixture(scope="module")
def full_path(landed, tmp_path_factory) -> Path:
    """This module's landed warehouse with every mart built in one run over FIRST..LAST."""
    return built_in_one_run(landed, tmp_path_factory.mktemp("long_gap_full"))


@pytest.fixture(scope="module")
def full(full_path) -> dict[str, pl.DataFrame]:
    return marts_of(Warehouse(full_path))


def test_one_full_build_measures_the_returns_after_the_gap_from_the_close_before_it(full):
    with_close = full["daily_returns"].filter(pl.col("ticker") == TICKER)
    before = with_close.filter(pl.col("session_date") < GAP_FROM)["close"][-1]
    june = with_close.filter(pl.col("session_date") == AFTER).row(0, named=True)
    assert june["ret_mtd"] == pytest.approx(june["close"] / before - 1, rel=1e-12)
    assert june["ret_ytd"] == pytest.approx(june["close"] / before - 1, rel=1e-12)
    assert june["ret_1d"] is None  # the session before had no bar


def test_daily_runs_after_the_gap_equal_one_full_build(landed, full, tmp_path):
    wh = fresh(landed, tmp_path, "daily")
    build_marts(wh, FIRST, GAP_TO, UNIVERSE)
    for session in sessions_between(AFTER, date(2025, 6, 3)):
        build_marts(wh, session, session, UNIVERSE)
    build_marts(wh, date(2025, 6, 4), LAST, UNIVERSE)
    assert_same_marts(marts_of(wh), full)


def test_a_chunk_starting_a_year_after_the_gap_began_equals_one_full_build(landed, full, tmp_path):
    """The chunk's bars start after RF's last close before the gap: the base of 2025 is
    the stored period base of the bars' first month."""
    wh = fresh(landed, tmp_path, "chunks")
    build_marts(wh, FIRST, date(2025, 3, 31), UNIVERSE)
    build_marts(wh, date(2025, 4, 1), LAST, UNIVERSE)
    assert_same_marts(marts_of(wh), full)


def test_a_later_range_built_first_equals_one_full_build(landed, full, tmp_path):
    wh = fresh(landed, tmp_path, "later_first")
    build_marts(wh, AFTER, LAST, UNIVERSE)
    build_marts(wh, FIRST, date(2025, 5, 30), UNIVERSE)
    assert_same_marts(marts_of(wh), full)


@pytest.mark.parametrize("bases", ["stored", "never built"])
def test_the_base_before_the_bars_read_is_the_stored_period_base_or_else_the_last_bar(
    full_path, full, tmp_path, bases
):
    """The build of AFTER reads bars from 2024-05-01 on: RF's 2025 base (2024-02-29) is the
    stored period base of May 2024 or, where no base of that month was ever built, the last
    bar before it."""
    wh = fresh(full_path, tmp_path, bases.replace(" ", "_"))
    with wh.transaction() as con:
        if bases == "never built":
            con.execute("DELETE FROM marts.period_bases")
        rows, bars = marts._compute_daily_returns(con, AFTER, AFTER, None)
    assert bars["session_date"].min() == date(2024, 5, 1)
    want = full["daily_returns"].filter(pl.col("session_date") == AFTER)
    assert_frame_equal(
        rows.filter(pl.col("session_date") == AFTER), want, rel_tol=1e-9, abs_tol=0.0
    )
    assert want.filter(pl.col("ticker") == TICKER)["ret_ytd"].null_count() == 0


@pytest.fixture(scope="module")
def after_a_daily_run(landed, tmp_path_factory) -> Warehouse:
    """The marts built up to the gap's end, then the daily run of AFTER."""
    path = tmp_path_factory.mktemp("long_gap_daily") / "warehouse.duckdb"
    shutil.copy(landed, path)
    wh = Warehouse(path)
    build_marts(wh, FIRST, GAP_TO, UNIVERSE)
    build_marts(wh, AFTER, AFTER, UNIVERSE)
    return wh


@pytest.mark.parametrize("check", ["daily", "audit"])
def test_the_recompute_checks_pass_after_a_daily_run_after_the_gap(after_a_daily_run, check):
    wh = after_a_daily_run
    kwargs = {"full_history": True} if check == "audit" else {"changed_from": AFTER}
    results = run_recompute_check(
        wh, "marts/daily_returns", UNIVERSE, written=[AFTER], tickers=[TICKER], run_id="r1",
        **kwargs,
    ).results  # fmt: skip
    assert results["passed"].all(), results["message"].to_list()
