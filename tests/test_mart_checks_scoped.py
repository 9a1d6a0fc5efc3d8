"""Mart checks scoped to the tickers a build replaced.

When a corporate action or a restatement re-bases one ticker's history, the run rebuilds
that ticker's rows of the per-ticker marts (daily_returns, streaks, technicals) over every
later session. Their ``unique_key`` and ``coverage`` checks then read only that ticker's
rows on those sessions, and each session's result is merged with the one stored in
``dq.check_results``: failing = (stored failing tickers minus the checked ones) plus the
failing ones among the checked, ``passed``, ``observed`` and ``message`` written as a full
check writes them. The other tickers' rows were not touched, so their stored results
still hold: the merged result equals a full check's. A session never checked has nothing
to merge into and is checked over every ticker.

The warehouse: the fault tests' small universe over 2025-12-01..2026-01-30, landed,
checked and built by one run of the pipeline (every check passed).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import bellwether.pipeline as pipeline
from bellwether.warehouse import Warehouse, stored_table
from checks.results import RESULT_SCHEMA
from checks.run import PER_TICKER_MARTS, run_mart_checks
from tests.faults_support import copy_warehouse, read_table
from tests.test_any_order import FrameSource, run

FIRST, LAST = date(2025, 12, 1), date(2026, 1, 30)
STREAKS = "marts/streaks"
#: The ticker whose rows a scoped build replaced, and one whose rows it did not touch.
REBUILT, OTHER = "AAPL", "MSFT"
S1, S2 = date(2025, 12, 15), date(2025, 12, 16)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scoped") / "warehouse.duckdb"
    run(Warehouse(path), FrameSource(), FIRST, LAST)
    return path


@pytest.fixture
def wh(built: Path, tmp_path: Path) -> Warehouse:
    return copy_warehouse(Warehouse(built), tmp_path)


def remove_rows(wh: Warehouse, asset: str, ticker: str, first: date, last: date) -> pl.DataFrame:
    """Delete ``ticker``'s rows of the mart on ``first..last``; returns them."""
    table = asset.replace("/", ".")
    with wh.transaction() as con:
        where = "ticker = ? AND session_date BETWEEN ? AND ?"
        rows = con.sql(f"SELECT * FROM {table} WHERE {where}", params=[ticker, first, last]).pl()
        con.execute(f"DELETE FROM {stored_table(table)} WHERE {where}", [ticker, first, last])
    assert rows.height > 0
    return rows


def restore_rows(wh: Warehouse, asset: str, rows: pl.DataFrame) -> None:
    with wh.transaction() as con:
        con.register("restored", rows.to_arrow())
        con.execute(f"INSERT INTO {asset.replace('/', '.')} BY NAME SELECT * FROM restored")
        con.unregister("restored")


def stored(wh: Warehouse, asset: str, check: str, session: date) -> dict:
    rows = read_table(wh, "dq.check_results").filter(
        (pl.col("asset") == asset)
        & (pl.col("check") == check)
        & (pl.col("session_date") == session)
    )
    assert rows.height == 1
    return rows.row(0, named=True)


def result(results: pl.DataFrame, check: str, session: date) -> dict:
    rows = results.filter((pl.col("check") == check) & (pl.col("session_date") == session))
    assert rows.height == 1
    return rows.row(0, named=True)


def assert_as_a_full_check_gives(wh: Warehouse, asset: str, first: date, last: date) -> None:
    """The stored results of ``asset`` on ``first..last`` equal a full check's (every
    column but run_id and checked_at)."""
    columns = list(RESULT_SCHEMA)
    keys = ["session_date", "check"]
    kept = (
        read_table(wh, "dq.check_results")
        .filter((pl.col("asset") == asset) & pl.col("session_date").is_between(first, last))
        .filter(~pl.col("check").str.starts_with("recompute"))
        .select(columns)
        .sort(keys)
    )
    full = run_mart_checks(wh, asset, first, last).results.select(columns).sort(keys)
    assert_frame_equal(kept, full)


def test_a_stored_failure_of_another_ticker_survives_a_scoped_check(wh):
    """(a) OTHER's missing row on S1 was found by a full check; a scoped check of REBUILT
    on S1 (whose row is now missing too) reports both."""
    remove_rows(wh, STREAKS, OTHER, S1, S1)
    run_mart_checks(wh, STREAKS, S1, S1, run_id="full")
    assert stored(wh, STREAKS, "coverage", S1)["failing_tickers"] == [OTHER]
    remove_rows(wh, STREAKS, REBUILT, S1, S1)

    scoped = run_mart_checks(wh, STREAKS, S1, S1, tickers=[REBUILT], run_id="scoped").results

    coverage = result(scoped, "coverage", S1)
    assert not coverage["passed"]
    assert coverage["failing_tickers"] == [REBUILT, OTHER]
    assert coverage["observed"] == "2"
    assert coverage["message"] == f"bars without mart rows: {REBUILT}, {OTHER}"
    assert stored(wh, STREAKS, "coverage", S1)["run_id"] == "scoped"
    assert_as_a_full_check_gives(wh, STREAKS, S1, S1)


def test_a_scoped_check_fails_a_missing_row_of_its_ticker_and_passes_it_once_restored(wh):
    """(b) REBUILT's rows of S1 and S2 go missing (OTHER's of S2 already failed a full
    check): the scoped check fails both sessions; once REBUILT's rows are back, it passes
    S1 again and S2 fails on OTHER alone."""
    remove_rows(wh, STREAKS, OTHER, S2, S2)
    run_mart_checks(wh, STREAKS, S1, S2)
    removed = remove_rows(wh, STREAKS, REBUILT, S1, S2)

    broken = run_mart_checks(wh, STREAKS, S1, S2, tickers=[REBUILT]).results
    assert result(broken, "coverage", S1)["failing_tickers"] == [REBUILT]
    assert result(broken, "coverage", S2)["failing_tickers"] == [REBUILT, OTHER]

    restore_rows(wh, STREAKS, removed)
    fixed = run_mart_checks(wh, STREAKS, S1, S2, tickers=[REBUILT]).results
    s1, s2 = result(fixed, "coverage", S1), result(fixed, "coverage", S2)
    assert s1["passed"] and s1["failing_tickers"] == [] and s1["observed"] == "0"
    assert s1["message"] == "every checked bar has its mart rows"
    assert not s2["passed"] and s2["failing_tickers"] == [OTHER] and s2["observed"] == "1"
    assert s2["message"] == f"bars without mart rows: {OTHER}"
    assert_as_a_full_check_gives(wh, STREAKS, S1, S2)


def test_a_session_never_checked_is_checked_over_every_ticker_even_when_scoped(wh):
    """(c) S2 has no stored coverage result: a scoped check of REBUILT finds OTHER's
    missing row there (S1, stored and untouched, still passes)."""
    with wh.transaction() as con:
        con.execute(
            "DELETE FROM dq.check_results WHERE asset = ? AND \"check\" = 'coverage' "
            "AND session_date = ?",
            [STREAKS, S2],
        )
    remove_rows(wh, STREAKS, OTHER, S2, S2)

    scoped = run_mart_checks(wh, STREAKS, S1, S2, tickers=[REBUILT]).results

    assert result(scoped, "coverage", S1)["passed"]
    s2 = result(scoped, "coverage", S2)
    assert not s2["passed"] and s2["failing_tickers"] == [OTHER]
    assert_as_a_full_check_gives(wh, STREAKS, S1, S2)


def test_a_stored_duplicate_key_of_another_ticker_survives_a_scoped_check(wh):
    """``unique_key`` merges the same way (the marts' primary keys keep real duplicates
    out, so the stored failure is planted): OTHER's duplicate on S1 stays reported after a
    scoped check of REBUILT, with the full check's message."""
    with wh.transaction() as con:
        con.execute(
            "UPDATE dq.check_results SET passed = false, failing_tickers = [?] "
            "WHERE asset = ? AND \"check\" = 'unique_key' AND session_date = ?",
            [OTHER, STREAKS, S1],
        )

    scoped = run_mart_checks(wh, STREAKS, S1, S1, tickers=[REBUILT]).results

    unique = result(scoped, "unique_key", S1)
    assert not unique["passed"] and unique["failing_tickers"] == [OTHER]
    assert unique["observed"] == "1" and unique["message"] == f"duplicate keys: {OTHER}"


def test_a_scoped_check_reads_only_its_tickers_rows(wh):
    """The other tickers' stored results are kept, not re-derived: OTHER's row, missing
    when the full check ran, put back without a check, stays failed until OTHER is
    checked (the full check, or a scoped one of OTHER)."""
    removed = remove_rows(wh, STREAKS, OTHER, S1, S1)
    run_mart_checks(wh, STREAKS, S1, S1)
    restore_rows(wh, STREAKS, removed)

    scoped = run_mart_checks(wh, STREAKS, S1, S1, tickers=[REBUILT]).results
    assert result(scoped, "coverage", S1)["failing_tickers"] == [OTHER]

    of_other = run_mart_checks(wh, STREAKS, S1, S1, tickers=[OTHER]).results
    assert result(of_other, "coverage", S1)["passed"]


def test_a_restatement_of_one_tickers_old_bar_is_checked_scoped_and_equals_a_full_check(
    wh, monkeypatch
):
    """(d) End to end: REBUILT's bar of 2025-12-10 is restated, and the run of that session
    rebuilds REBUILT's rows of every later session. Stored beforehand: OTHER's rows missing
    on 2025-12-11..2025-12-31 and REBUILT's on 2025-12-11 and 2025-12-22, both found by a
    full check. The run checks 2025-12-10 over every ticker and the later sessions it
    changed over REBUILT only; afterwards the stored results equal a full re-check's:
    OTHER's failures kept, REBUILT's (its rows rebuilt) gone."""
    restated = date(2025, 12, 10)
    for asset in PER_TICKER_MARTS:
        remove_rows(wh, asset, OTHER, date(2025, 12, 11), date(2025, 12, 31))
        remove_rows(wh, asset, REBUILT, date(2025, 12, 11), date(2025, 12, 11))
        remove_rows(wh, asset, REBUILT, date(2025, 12, 22), date(2025, 12, 22))
        run_mart_checks(wh, asset, FIRST, LAST)
        assert not stored(wh, asset, "coverage", date(2025, 12, 22))["passed"]
    calls: list[tuple[str, date, date, list[str] | None]] = []

    def spy(wh, asset, first, last, **kwargs):
        calls.append((asset, first, last, kwargs.get("tickers")))
        return run_mart_checks(wh, asset, first, last, **kwargs)

    monkeypatch.setattr(pipeline, "run_mart_checks", spy)
    source = FrameSource()
    source.restate(REBUILT, restated, 0.97)
    run(wh, source, restated, restated)

    for asset in PER_TICKER_MARTS:
        mine = [(first, last, tickers) for a, first, last, tickers in calls if a == asset]
        assert (restated, restated, None) in mine
        scoped = [(first, last) for first, last, tickers in mine if tickers == [REBUILT]]
        assert scoped and all(first > restated for first, _ in scoped), mine
        assert stored(wh, asset, "coverage", date(2025, 12, 22))["failing_tickers"] == [OTHER]
    for asset in pipeline.MART_ASSETS:
        assert_as_a_full_check_gives(wh, asset, FIRST, LAST)


def test_the_results_of_a_long_range_equal_those_built_session_by_session():
    """A rebuild's range may span thousands of sessions: :func:`mart_results` builds only
    the failing sessions' outcomes one by one and shares each check's pass among the rest,
    and must equal the outcomes built session by session, in the same order."""
    from bellwether.calendar import sessions_between
    from checks.results import results_frame
    from checks.run import breadth_identity_outcome, mart_results, mart_row_outcome

    sessions = sessions_between(date(2024, 1, 2), date(2024, 3, 28))
    s = sessions
    failures = {
        "unique_key": {s[3]: ["B", "A"], s[40]: ["C"]},
        # a failing session outside the checked ones is not a result of them
        "coverage": {s[3]: ["D"], s[7]: ["E", "F"], date(2023, 12, 29): ["X"]},
    }
    broken = {s[7]: ["sp500_sample: 1+1+1 vs 4 (recount 4)"], s[-1]: ["indices: 2+0+0 vs 3"]}

    def one_by_one(with_identity: bool) -> pl.DataFrame:
        outcomes = []
        for session in sessions:
            for check, failing in failures.items():
                outcomes.append(mart_row_outcome(session, failing.get(session, []), check=check))
            if with_identity:
                outcomes.append(breadth_identity_outcome(session, broken.get(session, [])))
        return results_frame("marts/breadth", outcomes)

    got = mart_results("marts/breadth", sessions, failures, broken)
    assert got.height == len(sessions) * 3
    assert got.filter(~pl.col("passed")).height == 6
    assert_frame_equal(got, one_by_one(True))
    assert_frame_equal(mart_results("marts/breadth", sessions, failures, None), one_by_one(False))
    assert mart_results("marts/breadth", [], failures, broken).is_empty()
