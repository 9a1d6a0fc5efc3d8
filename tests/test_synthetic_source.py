"""The synthetic source: deterministic, valid bars with deliberate gaps, splits and delistings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bellwether.bars import BAR_SCHEMA, SOURCE_BAR_SCHEMA, validate_bars
from bellwether.calendar import sessions_between
from bellwether.sources.base import FetchResult
from bellwether.sources.synthetic import HEADLINE, SyntheticSource, synthetic_universe
from bellwether.symbols import SYMBOL_PATTERN

NOW = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
FIRST, LAST = date(2024, 1, 2), date(2025, 12, 31)


@pytest.fixture(scope="module")
def source() -> SyntheticSource:
    return SyntheticSource(30)


@pytest.fixture(scope="module")
def fetched(source):
    return source.fetch(source.symbols, FIRST, LAST, now=NOW)


def test_it_is_a_bar_source_with_a_matching_universe(source):
    # used as a BarSource is (symbols and a range, no clock): closed sessions only, valid bars
    result = source.fetch(source.symbols[:3], date(2025, 6, 2), date(2025, 6, 6))
    assert isinstance(result, FetchResult) and result.source == source.name == "synthetic"
    assert sorted(result.bars["ticker"].unique()) == sorted(source.symbols[:3])
    assert validate_bars(result.bars, symbols=source.symbols[:3], now=NOW).rejected.is_empty()
    u = source.universe
    stocks = [s for s, i in u.instruments.items() if i.kind == "stock"]
    assert len(stocks) == 30 and stocks[0] == "SYN0001"
    assert all(SYMBOL_PATTERN.fullmatch(s) for s in u.symbols)
    assert {i.kind for i in u.instruments.values()} == {"index", "etf", "stock"}
    assert len({i.sector for i in u.instruments.values() if i.kind == "etf" and i.sector}) == 11
    assert [n for n, x in u.universes.items() if x.breadth] == ["stocks", "large_caps"]
    members = {m for x in u.universes.values() for m in x.members}
    assert members == set(u.symbols)
    pairs = {s for p in u.relative_pairs + u.etf_index_tracking for s in p}
    assert pairs <= set(u.symbols)
    assert synthetic_universe(30) == u
    assert synthetic_universe(10_000).symbols[-1] == "SYN10000"


def test_bars_are_a_valid_source_frame(fetched, source):
    assert fetched.source == "synthetic"
    assert dict(fetched.bars.schema) == SOURCE_BAR_SCHEMA
    checked = validate_bars(fetched.bars, symbols=source.symbols, now=NOW)
    assert checked.rejected.is_empty(), checked.rejected.head()
    bars = checked.good
    assert dict(bars.schema) == BAR_SCHEMA
    assert bars.filter(
        (pl.col("low") > pl.min_horizontal("open", "close"))
        | (pl.col("high") < pl.max_horizontal("open", "close"))
        | (pl.min_horizontal("open", "high", "low", "close", "adj_close") <= 0)
    ).is_empty()
    no_volume = bars.filter(pl.col("volume").is_null())["ticker"].unique().to_list()
    assert no_volume == ["^RUT"]  # like Yahoo's Russell 2000
    assert set(bars["ticker"].unique().to_list()) == set(source.symbols)


def test_the_same_seed_gives_the_same_bars_and_another_seed_others(fetched, source):
    again = SyntheticSource(30).fetch(source.symbols, FIRST, LAST, now=NOW)
    assert_frame_equal(again.bars, fetched.bars, check_exact=True)
    assert_frame_equal(again.actions, fetched.actions, check_exact=True)
    other = SyntheticSource(30, seed=7).fetch(source.symbols, FIRST, LAST, now=NOW)
    assert other.bars.height and not other.bars["close"].equals(fetched.bars["close"])


def test_a_bar_does_not_depend_on_the_range_or_the_symbols_it_was_asked_with(fetched):
    """A daily fetch continues a backfill exactly, whatever the universe size."""
    key = ["ticker", "session_date"]
    window = (date(2025, 3, 3), date(2025, 3, 7))
    part = SyntheticSource(5).fetch(["SYN0007", "SPY", "^RUT"], *window, now=NOW)
    whole = fetched.bars.filter(
        pl.col("ticker").is_in(["SYN0007", "SPY", "^RUT"])
        & pl.col("session_date").is_between(*window)
    )
    assert_frame_equal(part.bars.sort(key), whole.sort(key), check_exact=True)
    assert part.bars.height == 15


def test_no_bar_for_a_session_that_has_not_closed_or_before_the_epoch(source):
    result = source.fetch(["SYN0001"], date(2026, 11, 16), date(2026, 11, 30), now=NOW)
    assert result.bars["session_date"].max() == date(2026, 11, 20)
    early = source.fetch(["SYN0001"], date(1980, 1, 1), date(1989, 12, 31), now=NOW)
    assert early.bars.is_empty() and "SYN0001" in early.failed


def test_dividends_are_in_adj_close_and_etfs_track_their_index(fetched):
    bars = fetched.bars.sort("ticker", "session_date").with_columns(
        pl.col("close").shift(1).over("ticker").alias("prev_close"),
        pl.col("adj_close").shift(1).over("ticker").alias("prev_adj"),
    )
    divs = fetched.actions.filter(pl.col("action") == "dividend")
    assert divs.height and set(divs["ticker"].to_list()) >= {"SPY", "XLK"}
    on_ex = bars.join(
        divs.select("ticker", pl.col("ex_date").alias("session_date"), "value"),
        on=["ticker", "session_date"],
    ).drop_nulls("prev_close")
    # total return on the ex-date = close / (previous close - dividend)
    tr = on_ex["adj_close"] / on_ex["prev_adj"]
    expected = on_ex["close"] / (on_ex["prev_close"] - on_ex["value"])
    assert ((tr / expected - 1).abs() < 1e-4).all()
    spy = bars.filter(pl.col("ticker") == "SPY").select(
        "session_date", (pl.col("adj_close") / pl.col("prev_adj") - 1).alias("tr")
    )
    spx = bars.filter(pl.col("ticker") == "^GSPC").select(
        "session_date", (pl.col("close") / pl.col("prev_close") - 1).alias("pr")
    )
    gap = spy.join(spx, on="session_date").drop_nulls()
    assert ((gap["tr"] - gap["pr"]).abs() < 0.005).all()


def test_splits_gaps_and_delistings_are_present():
    source = SyntheticSource(40, gap_rate=0.01, split_rate=0.005, delist_share=0.25)
    symbols = source.symbols
    result = source.fetch(symbols, FIRST, LAST, now=NOW)
    assert validate_bars(result.bars, symbols=symbols, now=NOW).rejected.is_empty()
    splits = result.actions.filter(pl.col("action") == "split")
    assert splits.height and set(splits["value"].to_list()) <= {2.0, 3.0, 1.5, 4.0, 0.1}
    sessions = len(sessions_between(FIRST, LAST))
    counts = dict(result.bars.group_by("ticker").len().iter_rows())
    stocks = [s for s in symbols if s not in HEADLINE]
    assert all(counts[s] == sessions for s in HEADLINE)  # indices and ETFs never miss a bar
    short = [s for s in stocks if counts.get(s, 0) < sessions]
    assert len(short) > len(stocks) // 2  # gaps at 1% a session
    # delisted: bars until the delisting session, none after; later requests report it
    delisted = [(s, source.delisted_on(s)) for s in stocks]
    delisted = [(s, d) for s, d in delisted if d is not None and d <= LAST]
    assert delisted
    for sym, gone in delisted:
        last_bar = result.bars.filter(pl.col("ticker") == sym)["session_date"].max()
        assert last_bar is None or last_bar < gone
    sym, gone = delisted[0]
    later = source.fetch([sym], max(gone, FIRST), LAST, now=NOW)
    assert later.bars.is_empty() and "delisted" in later.failed[sym]


def test_unknown_symbols_are_stocks_from_their_hash(source):
    result = source.fetch(["AAPL", "BRK-B"], date(2025, 6, 2), date(2025, 6, 6), now=NOW)
    assert sorted(result.received) == ["AAPL", "BRK-B"]
    assert result.bars.height == 10


def test_selectable_as_a_source_kind(monkeypatch):
    from orchestration.resources import BarSourceResource

    monkeypatch.setenv("BELLWETHER_SOURCE", "synthetic")  # as a deployment selects it
    built = BarSourceResource(synthetic_symbols=7).build()
    assert isinstance(built, SyntheticSource) and built.n_symbols == 7
    assert built.fetch(built.symbols, date(2025, 6, 2), date(2025, 6, 2), now=NOW).bars.height


def test_a_landed_synthetic_market_passes_the_blocking_checks(tmp_path):
    from bellwether.landing import land_fetch
    from bellwether.reference import refresh_reference_tables
    from bellwether.warehouse import Warehouse
    from checks.run import run_raw_checks

    source = SyntheticSource(25)
    universe = source.universe
    first, last = date(2025, 9, 1), date(2025, 12, 31)
    sessions = sessions_between(first, last)
    wh = Warehouse(tmp_path / "wh.duckdb")
    report = land_fetch(
        wh, source.fetch(universe.symbols, first, last, now=NOW),
        sessions=sessions, symbols=universe.symbols, now=NOW,
    )  # fmt: skip
    refresh_reference_tables(wh, universe)
    assert report.rows_rejected == 0
    checked = run_raw_checks(
        wh, first, last, universe, ingest_id=report.ingest_id, now=NOW, use_gx=False
    ).results
    blocking = checked.filter(~pl.col("passed") & (pl.col("severity") == "error"))
    assert blocking.is_empty(), blocking.select("session_date", "check", "message").head()
