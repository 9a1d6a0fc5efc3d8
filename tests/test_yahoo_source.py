"""The yfinance source, exercised offline through yfinance's real request and parsing code.

Each test replays Yahoo chart-API responses built from the bundled bars (tests/yahoo_replay.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bellwether.bars import validate_bars
from bellwether.sources.base import SourceUnavailableError
from bellwether.sources.yahoo import YahooSource
from tests.yahoo_replay import ReplayAdapter, replay_session, reset_yfinance

START, END = date(2025, 12, 1), date(2025, 12, 10)
SYMBOLS = ["SPY", "^GSPC", "XLK", "^RUT"]


@pytest.fixture(autouse=True)
def fresh_yfinance(tmp_path):
    reset_yfinance(tmp_path / "yf-cache")
    yield
    reset_yfinance(tmp_path / "yf-cache-after")


@pytest.fixture(scope="module")
def sample() -> pl.DataFrame:
    return pl.read_csv(
        "data/sample/market_sample.csv",
        try_parse_dates=True,
        schema_overrides={"volume": pl.Float64},
    )


@pytest.fixture(scope="module")
def actions() -> pl.DataFrame:
    return pl.read_csv("data/sample/corporate_actions.csv", try_parse_dates=True)


def source(adapter: ReplayAdapter, **kw) -> tuple[YahooSource, list[float]]:
    sleeps: list[float] = []
    kw.setdefault("clock", lambda: datetime(2026, 11, 20, 23, 0, tzinfo=UTC))
    return YahooSource(session=replay_session(adapter), sleep=sleeps.append, **kw), sleeps


def expected(sample: pl.DataFrame, symbols, start=START, end=END) -> pl.DataFrame:
    return sample.filter(
        pl.col("ticker").is_in(symbols) & pl.col("date").is_between(start, end)
    ).sort("ticker", "date")


def as_bundled(bars: pl.DataFrame) -> pl.DataFrame:
    return (
        bars.rename({"session_date": "date"})
        .select("date", "ticker", "open", "high", "low", "close", "adj_close", "volume")
        .sort("ticker", "date")
    )


def test_range_download_returns_exactly_the_recorded_bars_and_actions(sample, actions):
    src, sleeps = source(ReplayAdapter(sample, actions=actions), batch_size=2, pause_s=0.5)
    result = src.fetch(SYMBOLS, START, END)
    assert result.failed == {}
    want = expected(sample, SYMBOLS).with_columns(
        pl.col("volume").fill_null(0.0)
    )  # Yahoo/yfinance: no index volume -> 0
    assert_frame_equal(as_bundled(result.bars), want, check_exact=True)
    assert result.actions.rows() == [("XLK", date(2025, 12, 5), "split", 2.0)]
    assert src.requests_made == 2 and sleeps == [0.5]  # two batches, one polite pause


def test_an_http_429_wave_is_retried_with_exponential_backoff(sample):
    adapter = ReplayAdapter(sample, failures={"SPY": "http429"}, fail_first=4)
    src, sleeps = source(adapter, initial_backoff_s=2.0)
    result = src.fetch(["SPY", "^GSPC"], START, END)
    assert result.failed == {}
    assert set(result.received) == {"SPY", "^GSPC"}
    # yfinance retries a 4xx once itself, so each attempt costs two history calls
    assert sleeps == [2.0, 4.0]


def test_a_persistent_rate_limit_is_reported_after_the_retries(sample):
    src, sleeps = source(
        ReplayAdapter(sample, failures={"XLK": "http429"}), max_retries=3, initial_backoff_s=1.0
    )
    result = src.fetch(["SPY", "XLK"], START, END)
    assert result.received == ["SPY"]
    assert "YFRateLimitError" in result.failed["XLK"]
    assert sleeps == [1.0, 2.0, 4.0]


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("notfound", "404 Client Error: Not Found"),
        ("empty", "no price data found"),
        ("allnull", "empty result"),
        ("malformed", "no price data found"),
        ("timeout", "read timed out"),
    ],
)
def test_one_failing_symbol_in_a_batch_is_named_and_the_rest_land(sample, mode, message):
    src, _ = source(ReplayAdapter(sample, failures={"XLK": mode}))
    result = src.fetch(SYMBOLS, START, END)
    assert list(result.failed) == ["XLK"]
    assert message in result.failed["XLK"]
    assert sorted(result.received) == sorted(set(SYMBOLS) - {"XLK"})
    assert_frame_equal(
        as_bundled(result.bars.filter(pl.col("ticker") == "SPY")),
        expected(sample, ["SPY"]),
        check_exact=True,
    )


def test_an_unknown_symbol_is_reported_not_raised(sample):
    src, _ = source(ReplayAdapter(sample))
    result = src.fetch(["SPY", "ZZZZ"], START, END)
    assert list(result.failed) == ["ZZZZ"] and result.received == ["SPY"]


def test_offline_says_yahoo_is_unreachable_and_how_to_use_the_bundled_data(sample):
    src, _ = source(ReplayAdapter(sample, failures={"SPY": "offline"}))
    with pytest.raises(
        SourceUnavailableError, match=r"cannot be reached.*BELLWETHER_SOURCE=bundled"
    ):
        src.fetch(["SPY", "^GSPC"], START, END)


def test_no_bar_is_returned_for_a_session_that_has_not_closed(sample):
    # 2025-12-10 at 15:00 New York: the session is still trading
    src, _ = source(ReplayAdapter(sample), clock=lambda: datetime(2025, 12, 10, 20, 0, tzinfo=UTC))
    result = src.fetch(["SPY"], START, END)
    assert result.bars["session_date"].max() == date(2025, 12, 9)
    # and one hour after the close it is
    src, _ = source(ReplayAdapter(sample), clock=lambda: datetime(2025, 12, 10, 22, 0, tzinfo=UTC))
    assert src.fetch(["SPY"], START, END).bars["session_date"].max() == date(2025, 12, 10)


def test_replayed_bars_pass_validation(sample, now):
    src, _ = source(ReplayAdapter(sample))
    result = src.fetch(SYMBOLS, START, END)
    v = validate_bars(result.bars, symbols=SYMBOLS, now=now)
    assert v.rejected.height == 0 and v.good.height == expected(sample, SYMBOLS).height
