"""marts.relative_performance definitions on hand-computed frames
(bellwether.metrics.relative)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bellwether.calendar import sessions_between
from bellwether.metrics.relative import OUTPUT_COLUMNS, relative_performance

JUNE = sessions_between(date(2025, 6, 2), date(2025, 7, 31))
PAIR = [("XLK", "SPY")]


def returns(ticker: str, rets: list[float | str | None], closes=None, ytd=None) -> pl.DataFrame:
    """daily_returns-like rows on consecutive sessions; ``"-"`` means no bar that session."""
    closes = closes or [100.0] * len(rets)
    ytd = ytd or [None] * len(rets)
    rows = [
        (ticker, d, c, r, y)
        for d, r, c, y in zip(JUNE, rets, closes, ytd, strict=False)
        if r != "-"
    ]
    return pl.DataFrame(
        rows,
        schema={
            "ticker": pl.String,
            "session_date": pl.Date,
            "close": pl.Float64,
            "ret_1d": pl.Float64,
            "ret_ytd": pl.Float64,
        },
        orient="row",
    )


def runs(out: pl.DataFrame) -> tuple[list, list]:
    return out["outperf_streak"].to_list(), out["underperf_streak"].to_list()


def test_excess_return_price_ratio_and_ytd_gap():
    rets = pl.concat(
        [
            returns("XLK", [None, 0.02], closes=[150.0, 153.0], ytd=[0.10, 0.122]),
            returns("SPY", [None, 0.01], closes=[600.0, 606.0], ytd=[0.05, 0.0605]),
        ]
    )
    out = relative_performance(rets, PAIR)
    assert out.columns == list(OUTPUT_COLUMNS)
    row = out.row(1, named=True)
    assert row["ticker"] == "XLK" and row["benchmark"] == "SPY"
    assert row["excess_ret_1d"] == pytest.approx(0.01)
    assert row["price_ratio"] == pytest.approx(153 / 606)
    assert row["excess_ret_ytd"] == pytest.approx(0.122 - 0.0605)
    assert (row["ret_1d"], row["benchmark_ret_1d"]) == (0.02, 0.01)
    assert out.row(0, named=True)["excess_ret_1d"] is None


def test_outperformance_runs_count_consecutive_sessions_beating_the_benchmark():
    rets = pl.concat(
        [
            returns("XLK", [None, 0.02, 0.01, 0.03, -0.01, -0.02, 0.00]),
            returns("SPY", [None, 0.01, 0.00, 0.01, 0.00, -0.01, 0.01]),
        ]
    )
    out = relative_performance(rets, PAIR)
    assert runs(out) == ([0, 1, 2, 3, 0, 0, 0], [0, 0, 0, 0, 1, 2, 3])


def test_equal_returns_end_both_runs():
    rets = pl.concat(
        [
            returns("XLK", [None, 0.02, 0.01, 0.015, 0.02]),
            returns("SPY", [None, 0.01, 0.01, 0.010, 0.01]),
        ]
    )
    assert runs(relative_performance(rets, PAIR)) == ([0, 1, 0, 1, 2], [0] * 5)


def test_a_missing_benchmark_bar_ends_both_runs_and_leaves_the_ratio_null():
    rets = pl.concat(
        [
            returns("XLK", [None, 0.02, 0.02, 0.02, 0.02]),
            returns("SPY", [None, 0.01, "-", None, 0.01]),  # no bar, then no return
        ]
    )
    out = relative_performance(rets, PAIR)
    assert runs(out) == ([0, 1, 0, 0, 1], [0] * 5)
    assert out["price_ratio"].to_list()[2] is None
    assert out["excess_ret_1d"].to_list()[2:4] == [None, None]


def test_rows_are_the_tickers_sessions_of_configured_pairs_only():
    rets = pl.concat(
        [
            returns("XLK", [None, 0.01, "-", None]),
            returns("SPY", [None, 0.00, 0.01, 0.02]),
            returns("QQQ", [None, 0.03, 0.01, 0.02]),
        ]
    )
    out = relative_performance(rets, PAIR)
    assert out.select("ticker", "benchmark").unique().rows() == [("XLK", "SPY")]
    assert out["session_date"].to_list() == [JUNE[0], JUNE[1], JUNE[3]]
    assert runs(out) == ([0, 1, 0], [0, 0, 0])


def test_one_ticker_against_two_benchmarks_has_separate_runs():
    rets = pl.concat(
        [
            returns("^RUT", [None, 0.02, 0.02]),
            returns("^GSPC", [None, 0.01, 0.01]),
            returns("^IXIC", [None, 0.03, 0.01]),
        ]
    )
    out = relative_performance(rets, [("^RUT", "^GSPC"), ("^RUT", "^IXIC")])
    by_bench = {b: runs(g) for (b,), g in out.group_by("benchmark", maintain_order=True)}
    assert by_bench == {"^GSPC": ([0, 1, 2], [0, 0, 0]), "^IXIC": ([0, 0, 1], [0, 1, 0])}


TICKER = [None, 0.02, 0.01, 0.03, 0.00, -0.01, -0.02, 0.01, 0.01, None, 0.02, 0.00, 0.01]
BENCH = [None, 0.01, 0.01, 0.01, 0.01, -0.02, -0.01, 0.00, 0.00, 0.01, 0.01, 0.00, 0.00]


@pytest.mark.parametrize("first", range(1, len(TICKER)))
def test_a_seeded_run_equals_the_full_computation(first):
    rets = pl.concat([returns("XLK", TICKER), returns("SPY", BENCH)])
    full = relative_performance(rets, PAIR)
    prev = JUNE[first - 1]
    seed = full.filter(pl.col("session_date") == prev).select(
        "ticker", "benchmark", "session_date", "outperf_streak", "underperf_streak"
    )
    part = relative_performance(rets.filter(pl.col("session_date") >= prev), PAIR, seed=seed)
    got = part.filter(pl.col("session_date") >= JUNE[first])
    assert_frame_equal(got, full.filter(pl.col("session_date") >= JUNE[first]), check_exact=True)
