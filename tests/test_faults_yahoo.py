"""yfinance faults replayed offline end to end: each ends in a retry, a partial-failure
report naming the symbols (``raw.ingest_runs.failures``) or a flagged restatement, never in
a silent hole.

The responses go through yfinance's real request and parsing code (``tests/yahoo_replay.py``,
a transport adapter; nothing in yfinance is patched) into ``run_pipeline``: landing, raw
checks, marts. Source-level behaviour (backoff arithmetic, each failure mode's message) is
in ``tests/test_yahoo_source.py``; here the question is what the warehouse keeps.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bellwether.pipeline import run_pipeline
from bellwether.sources.base import SourceUnavailableError
from bellwether.sources.yahoo import YahooSource
from bellwether.universe import default_universe, parse_universe
from bellwether.warehouse import Warehouse
from tests.faults_support import (
    files_source,
    read_table,
    sample_bars,
    write_files_source,
)
from tests.yahoo_replay import ReplayAdapter, replay_session, reset_yfinance

INDICES = ["^GSPC", "^DJI", "^RUT"]
ETFS = ["SPY", "DIA", "IWM", "QQQ", "XLK", "XLF"]
STOCKS = ["AAPL", "MSFT", "NVDA"]
SYMBOLS = [*INDICES, *ETFS, *STOCKS]
CLEAN_FIRST, CLEAN_LAST = date(2025, 11, 24), date(2025, 12, 2)
DAY, NEXT = date(2025, 12, 3), date(2025, 12, 4)
NOW = datetime(2025, 12, 8, 23, 0, tzinfo=UTC)
#: Every failure mode at once, each persistent (no fail_first).
STORM = {
    "XLK": "http429",
    "QQQ": "timeout",
    "AAPL": "notfound",
    "MSFT": "notfound",
    "NVDA": "empty",
    "^DJI": "allnull",
    "DIA": "malformed",
}


def universe():
    full = default_universe()
    return parse_universe(
        {
            "instruments": [
                {
                    "symbol": s,
                    "kind": full.instruments[s].kind,
                    "sector": full.instruments[s].sector,
                }
                for s in SYMBOLS
            ],
            "universes": {
                "market": {"members": [*INDICES, *ETFS]},
                "stocks": {"members": STOCKS, "breadth": True},
            },
            "relative_pairs": [{"ticker": "IWM", "benchmark": "SPY"}],
            "etf_index_tracking": [{"etf": "SPY", "index": "^GSPC"}],
        }
    )


UNIVERSE = universe()


@pytest.fixture(autouse=True)
def fresh_yfinance(tmp_path):
    reset_yfinance(tmp_path / "yf-cache")
    yield
    reset_yfinance(tmp_path / "yf-cache-after")


@pytest.fixture(scope="module")
def bars() -> pl.DataFrame:
    return sample_bars(SYMBOLS, CLEAN_FIRST, NEXT)


@pytest.fixture(scope="module")
def clean(tmp_path_factory, bars):
    """A warehouse with the clean sessions before DAY landed, checked and built."""
    base = tmp_path_factory.mktemp("clean")
    source = files_source(
        write_files_source(base / "src", bars.filter(pl.col("date") <= CLEAN_LAST))
    )
    wh = Warehouse(base / "wh.duckdb")
    run_pipeline(wh, source, UNIVERSE, CLEAN_FIRST, CLEAN_LAST, now=NOW, use_gx=False)
    return wh.path


@pytest.fixture
def wh(clean, tmp_path) -> Warehouse:
    shutil.copy(clean, tmp_path / "wh.duckdb")
    return Warehouse(tmp_path / "wh.duckdb")


def yahoo(adapter: ReplayAdapter, **kw) -> tuple[YahooSource, list[float]]:
    sleeps: list[float] = []
    source = YahooSource(session=replay_session(adapter), sleep=sleeps.append,
                         clock=lambda: NOW, batch_size=5, pause_s=0.5, **kw)  # fmt: skip
    return source, sleeps


def land(wh: Warehouse, source, day: date = DAY):
    return run_pipeline(wh, source, UNIVERSE, day, day, now=NOW, use_gx=False).landing


def ingest_row(wh: Warehouse, ingest_id: str) -> dict:
    runs = read_table(wh, "raw.ingest_runs").filter(pl.col("ingest_id") == ingest_id)
    return runs.row(0, named=True)


def check(wh: Warehouse, day: date, name: str) -> dict:
    results = read_table(wh, "dq.check_results").filter(
        (pl.col("session_date") == day) & (pl.col("check") == name)
    )
    return results.row(0, named=True)


def holes(wh: Warehouse, day: date) -> set[str]:
    landed = read_table(wh, "raw.daily_bars").filter(pl.col("session_date") == day)
    return set(SYMBOLS) - set(landed["ticker"].to_list())


def test_a_storm_of_failures_is_reported_by_symbol_and_a_rerun_fills_every_hole(wh, bars, tmp_path):
    before = read_table(wh, "raw.daily_bars")
    source, sleeps = yahoo(
        ReplayAdapter(bars, failures=STORM), max_retries=2, initial_backoff_s=1.0
    )
    report = land(wh, source)

    # the report names exactly the failed symbols, each with its reason
    assert set(report.failed) == set(STORM)
    row = ingest_row(wh, report.ingest_id)
    assert row["status"] == "succeeded" and sorted(row["failed_symbols"]) == sorted(STORM)
    failures = json.loads(row["failures"])
    assert "YFRateLimitError" in failures["XLK"] or "Too Many Requests" in failures["XLK"]
    assert "timed out" in failures["QQQ"]
    assert all("404" in failures[s] or "delisted" in failures[s] for s in ("AAPL", "MSFT"))
    assert failures["NVDA"] and failures["^DJI"] and failures["DIA"]
    # the rate-limited symbol was retried with backoff (0.5 s are the pauses between batches)
    assert [s for s in sleeps if s != 0.5] == [1.0, 2.0]
    # every hole is named, and the checks say so
    assert holes(wh, DAY) == set(STORM)
    completeness = check(wh, DAY, "completeness_index_etf")
    assert not completeness["passed"]
    assert set(completeness["failing_tickers"]) == {"XLK", "QQQ", "^DJI", "DIA"}
    assert not check(wh, DAY, "completeness_stocks")["passed"]
    # nothing stored before was touched, the rest landed
    assert_frame_equal(
        read_table(wh, "raw.daily_bars").filter(pl.col("session_date") < DAY),
        before,
        check_exact=True,
    )
    assert report.rows_landed == len(SYMBOLS) - len(STORM)

    # the re-run is a new run process (as every Dagster run is): yfinance keeps responses,
    # failed ones included, in a per-process cache
    reset_yfinance(tmp_path / "yf-cache-rerun")
    rerun = land(wh, yahoo(ReplayAdapter(bars))[0])
    assert rerun.failed == {} and holes(wh, DAY) == set()
    assert check(wh, DAY, "completeness_index_etf")["passed"]
    assert json.loads(ingest_row(wh, rerun.ingest_id)["failures"]) == {}


def test_a_429_wave_is_retried_until_every_symbol_lands(wh, bars):
    adapter = ReplayAdapter(bars, failures={"SPY": "http429", "IWM": "http429"}, fail_first=2)
    source, sleeps = yahoo(adapter, max_retries=4, initial_backoff_s=2.0)
    report = land(wh, source)
    assert report.failed == {} and holes(wh, DAY) == set()
    assert [s for s in sleeps if s != 0.5] == [2.0, 2.0]  # one backoff in each batch
    assert adapter.history_calls["SPY"] > 2  # the retries went out and succeeded


def test_a_restated_session_is_flagged_and_its_marts_follow(wh, bars):
    restated = bars.with_columns(
        pl.when((pl.col("ticker") == "SPY") & (pl.col("date") == CLEAN_LAST))
        .then(pl.col(c) * 1.01)
        .otherwise(pl.col(c))
        .alias(c)
        for c in ("open", "high", "low", "close", "adj_close")
    )
    old_close = read_table(wh, "raw.daily_bars").filter(
        (pl.col("ticker") == "SPY") & (pl.col("session_date") == CLEAN_LAST)
    )["close"][0]
    land(wh, yahoo(ReplayAdapter(restated))[0], CLEAN_LAST)
    flagged = read_table(wh, "raw.restatements")
    assert flagged.select("ticker", "session_date").rows() == [("SPY", CLEAN_LAST)]
    assert flagged["old_close"][0] == old_close
    assert flagged["new_close"][0] == pytest.approx(old_close * 1.01)
    result = check(wh, CLEAN_LAST, "restatement")
    assert (
        not result["passed"]
        and result["severity"] == "warn"
        and result["failing_tickers"] == ["SPY"]
    )
    mart = read_table(wh, "marts.daily_returns").filter(
        (pl.col("ticker") == "SPY") & (pl.col("session_date") == CLEAN_LAST)
    )
    assert mart["close"][0] == pytest.approx(old_close * 1.01)


def test_offline_fails_clearly_and_changes_nothing(wh, bars):
    before = {t: read_table(wh, t) for t in ("raw.daily_bars", "raw.ingest_runs")}
    source, _ = yahoo(ReplayAdapter(bars, failures={"SPY": "offline"}))
    with pytest.raises(
        SourceUnavailableError, match=r"cannot be reached.*BELLWETHER_SOURCE=bundled"
    ):
        land(wh, source)
    for table, frame in before.items():
        assert_frame_equal(read_table(wh, table), frame, check_exact=True)


def test_the_daily_runs_trailing_window_lands_the_next_days_correction(wh, bars, tmp_path):
    """Yahoo corrects yesterday's volume and close the day after: today's run re-fetches
    the trailing sessions, lands the correction as a restatement, and the marts equal a
    full build on the corrected data. An unchanged trailing window rewrites nothing."""
    from bellwether.integrity import table_hashes
    from tests.faults_support import assert_equals_full_recompute

    run_pipeline(wh, yahoo(ReplayAdapter(bars))[0], UNIVERSE, DAY, DAY, now=NOW, use_gx=False,
                 trailing_sessions=5)  # fmt: skip
    corrected = bars.with_columns(
        pl.when((pl.col("ticker") == "SPY") & (pl.col("date") == DAY))
        .then(pl.col(c) * k)
        .otherwise(pl.col(c))
        .alias(c)
        for c, k in (("close", 1.006), ("adj_close", 1.006), ("high", 1.006), ("volume", 1.1))
    ).with_columns(pl.col("volume").round(0))
    result = run_pipeline(wh, yahoo(ReplayAdapter(corrected))[0], UNIVERSE, NEXT, NEXT, now=NOW,
                          use_gx=False, trailing_sessions=5)  # fmt: skip
    trailing = result.landings.trailing
    assert trailing is not None and trailing.end == DAY and trailing.sessions == 5
    assert trailing.rows_changed.bars_written == 1  # SPY's corrected bar, nothing else
    flagged = read_table(wh, "raw.restatements")
    assert flagged.select("ticker", "session_date").rows() == [("SPY", DAY)]
    assert_equals_full_recompute(wh, UNIVERSE, tmp_path / "full")

    bars_before, hashes = read_table(wh, "raw.daily_bars"), table_hashes(wh)
    again = run_pipeline(wh, yahoo(ReplayAdapter(corrected))[0], UNIVERSE, NEXT, NEXT, now=NOW,
                         use_gx=False, trailing_sessions=5)  # fmt: skip
    assert again.landings.trailing.rows_changed.bars_written == 0
    # no bar rewritten: every row keeps the ingest id of the landing that last changed it
    assert_frame_equal(read_table(wh, "raw.daily_bars"), bars_before, check_exact=True)
    changed = [t for t, h in table_hashes(wh).items() if hashes.get(t) != h]
    assert changed == []
