"""Property tests: the polars metrics agree with the DuckDB-SQL reference on random data.

``sql/reference/*.sql`` implements every metric family again, from the definitions, in
plain DuckDB SQL (see :mod:`bellwether.reference_sql`). Random markets (random walks for a
few tickers over random XNYS session ranges, with missing bars, unchanged closes at the
published precision, sub-precision noise, tied returns and an index without volume) go
through both; floats must agree within 1e-9 relative (plus 1e-12 absolute, for exact
zeros against rounding noise), integers, booleans and nulls exactly.

The second half holds the seeded continuation property at the function level: computing
sessions ``first..`` from a seed (the stored state before ``first``) equals the full
computation, for streaks, relative runs, technicals (RSI) and breadth (A/D line, EMAs).

Hypothesis runs derandomized (a fixed sequence of examples) so CI is reproducible.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bellwether.calendar import sessions_between
from bellwether.metrics.breadth import breadth
from bellwether.metrics.relative import relative_performance
from bellwether.metrics.returns import daily_returns
from bellwether.metrics.sectors import sector_performance
from bellwether.metrics.streaks import streaks
from bellwether.metrics.technicals import LOOKBACK_SESSIONS, technicals
from bellwether.reference_sql import frame_mismatches, run_reference, sessions_frame

ALL = sessions_between(date(2023, 1, 3), date(2026, 6, 30))

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

BAR_SCHEMA = {
    "ticker": pl.String,
    "session_date": pl.Date,
    "open": pl.Float64,
    "high": pl.Float64,
    "low": pl.Float64,
    "close": pl.Float64,
    "adj_close": pl.Float64,
    "volume": pl.Int64,
    "price_decimals": pl.Int32,
}


@dataclass
class Market:
    bars: pl.DataFrame
    span: list[date]
    pairs: list[tuple[str, str]]
    sector_etfs: pl.DataFrame
    members: pl.DataFrame  # universe, ticker

    @property
    def sessions(self) -> pl.DataFrame:
        return sessions_frame(self.span[0], self.span[-1])

    @property
    def tickers(self) -> list[str]:
        return sorted(self.bars["ticker"].unique().to_list())


def random_market(
    rng: random.Random,
    span: list[date],
    n_tickers: int,
    missing: int | float,
    p_flat: float,
    full_span: bool = False,
) -> Market:
    """``missing``: an int is the number of missing bars per ticker (at random sessions,
    leaving long complete windows), a float the probability of each bar being missing."""
    rows = []
    tickers = [f"T{i}" for i in range(n_tickers)]
    for ticker in tickers:
        is_index = rng.random() < 0.3  # 2 decimals and no volume, like ^RUT
        decimals = 2 if is_index else 4
        tick = 10.0**-decimals
        lo, hi = 0, len(span) - 1
        if not full_span and rng.random() < 0.3:  # listed late or delisted early
            lo = rng.randrange(len(span) // 2 + 1)
            hi = rng.randrange(lo, len(span))
        price = round(rng.uniform(5, 5000), decimals)
        factor = rng.uniform(0.6, 1.0)  # adj_close / close, stepping on "ex-dates"
        vol = rng.gauss(0, 0.02)
        days = span[lo : hi + 1]
        if isinstance(missing, int):
            gaps = {rng.randrange(len(days)) for _ in range(missing)}
        else:
            gaps = {i for i in range(len(days)) if rng.random() < missing}
        for i, day in enumerate(days):
            if rng.random() < p_flat:
                # unchanged at the published precision, sometimes with sub-tick noise
                close = price + rng.choice([0.0, 0.0, 0.3, -0.3]) * tick
            else:
                price = round(price * math.exp(rng.gauss(0, 0.02 + abs(vol))), decimals)
                close = price
            if rng.random() < 0.02:
                factor *= rng.uniform(0.97, 0.999)
            if i in gaps:
                continue
            up, down = abs(rng.gauss(0, 0.01)), abs(rng.gauss(0, 0.01))
            high = close if rng.random() < 0.1 else round(close * (1 + up), decimals)
            low = close if rng.random() < 0.1 else round(close * (1 - down), decimals)
            volume = None if is_index else rng.choice([0, rng.randrange(1, 10**8)])
            rows.append(
                (ticker, day, close, high, low, close, round(close * factor, 4), volume, decimals)
            )
    bars = pl.DataFrame(rows, schema=BAR_SCHEMA, orient="row")
    pairs = [(a, b) for a in tickers for b in tickers if a != b and rng.random() < 0.7]
    pairs.append((tickers[0], "MISSING"))  # a benchmark without bars
    etfs = [t for t in tickers if rng.random() < 0.8]
    sector_etfs = pl.DataFrame(
        {"ticker": etfs, "sector": [f"Sector {t}" for t in etfs]},
        schema={"ticker": pl.String, "sector": pl.String},
    )
    members = [("all", t) for t in tickers]
    members += [("some", t) for t in tickers if rng.random() < 0.5]
    members.append(("ghost", "NOBARS"))  # a universe whose only member never trades
    return Market(
        bars=bars,
        span=span,
        pairs=pairs,
        sector_etfs=sector_etfs,
        members=pl.DataFrame(
            members, schema={"universe": pl.String, "ticker": pl.String}, orient="row"
        ),
    )


@st.composite
def markets(draw, max_tickers: int = 4, max_sessions: int = 600) -> Market:
    """Hypothesis picks the shape and a seed; the seeded generator draws the values (so
    examples spread evenly over lengths instead of crowding at the small end)."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    shape = draw(st.sampled_from(["short", "medium", "long", "long"]))
    length = {
        "short": rng.randint(1, 30),
        "medium": rng.randint(30, 260),
        "long": rng.randint(253, 1000),  # long enough for 52-week windows
    }[shape]
    length = min(length, max_sessions)
    offset = rng.randint(0, len(ALL) - length)
    missing = draw(st.sampled_from([0, 1, 4, 0.05, 0.25]))
    p_flat = draw(st.sampled_from([0.0, 0.05, 0.3]))
    n_tickers = rng.randint(1, max_tickers)
    return random_market(rng, ALL[offset : offset + length], n_tickers, missing, p_flat)


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def agree(polars_out: pl.DataFrame, sql_out: pl.DataFrame, keys: list[str]) -> None:
    assert polars_out.height == sql_out.height
    problems = frame_mismatches(polars_out, sql_out, keys, rel_tol=1e-9, abs_tol=1e-12)
    assert problems == [], problems


def breadth_inputs(market: Market, st_rows: pl.DataFrame, tech: pl.DataFrame) -> pl.DataFrame:
    """The polars breadth input: one row per (universe, member, session with a bar)."""
    return market.members.join(st_rows.select("ticker", "session_date", "direction"), on="ticker").join(
        tech.select(
            "ticker", "session_date", "close", "sma_20", "sma_50", "sma_200", "high_52w",
            "is_new_high_52w", "is_new_low_52w",
        ),
        on=["ticker", "session_date"],
    )  # fmt: skip


def universe_sizes(market: Market) -> dict[str, int]:
    return dict(market.members.group_by("universe").len().iter_rows())


# ---- polars == SQL reference ----------------------------------------------------------


@PROPERTY
@given(market=markets())
def test_daily_returns_match_the_sql_reference(con, market):
    got = daily_returns(market.bars)
    want = run_reference("daily_returns", con, bars=market.bars, sessions=market.sessions)
    agree(got, want, ["ticker", "session_date"])


@PROPERTY
@given(market=markets())
def test_streaks_match_the_sql_reference(con, market):
    got = streaks(market.bars)
    want = run_reference("streaks", con, bars=market.bars, sessions=market.sessions)
    agree(got, want, ["ticker", "session_date"])


@PROPERTY
@given(market=markets())
def test_technicals_match_the_sql_reference(con, market):
    got = technicals(market.bars)
    want = run_reference("technicals", con, bars=market.bars, sessions=market.sessions)
    agree(got, want, ["ticker", "session_date"])


@PROPERTY
@given(market=markets())
def test_relative_performance_matches_the_sql_reference(con, market):
    rets = daily_returns(market.bars)
    got = relative_performance(rets, market.pairs)
    pairs = pl.DataFrame(market.pairs, schema=["ticker", "benchmark"], orient="row")
    want = run_reference("relative_performance", con, returns=rets, pairs=pairs)
    agree(got, want, ["ticker", "benchmark", "session_date"])


@PROPERTY
@given(market=markets(max_tickers=8, max_sessions=60))
def test_sector_performance_matches_the_sql_reference(con, market):
    rets = daily_returns(market.bars)
    got = sector_performance(rets, market.sector_etfs)
    want = run_reference("sector_performance", con, returns=rets, sector_etfs=market.sector_etfs)
    agree(got, want, ["session_date", "ticker"])


@PROPERTY
@given(market=markets(max_tickers=22, max_sessions=300))
def test_breadth_matches_the_sql_reference(con, market):
    st_rows, tech = streaks(market.bars), technicals(market.bars)
    got = breadth(breadth_inputs(market, st_rows, tech), universe_sizes(market))
    want = run_reference("breadth", con, members=market.members, streaks=st_rows, technicals=tech)
    agree(got, want, ["universe", "session_date"])
    identity = pl.col("advancers") + pl.col("decliners") + pl.col("unchanged")
    assert got.filter(identity != pl.col("members_compared")).height == 0
    assert got.filter(pl.col("members") * 100 < 95 * pl.col("universe_size")).height == 0


def test_long_histories_match_the_sql_reference(con):
    """Over 1,000 changes / sessions the SQL reference carries its RSI and EMA sums across
    blocks; 2,700 sessions of two tickers (and a universe of both) cross two of them."""
    span = sessions_between(date(2010, 1, 4), date(2020, 12, 31))
    market = random_market(
        random.Random(7), span, n_tickers=2, missing=8, p_flat=0.05, full_span=True
    )
    tech = technicals(market.bars)
    sql_tech = run_reference("technicals", con, bars=market.bars, sessions=market.sessions)
    agree(tech, sql_tech, ["ticker", "session_date"])
    st_rows = streaks(market.bars)
    got = breadth(breadth_inputs(market, st_rows, tech), universe_sizes(market))
    want = run_reference("breadth", con, members=market.members, streaks=st_rows, technicals=tech)
    assert got.filter(pl.col("universe") == "all").height > 2000
    agree(got, want, ["universe", "session_date"])


def test_the_sql_reference_chain_matches_the_polars_chain(con):
    """Breadth computed on the SQL streaks and technicals equals the all-polars breadth."""
    market = random_market(random.Random(11), ALL[:400], n_tickers=12, missing=3, p_flat=0.1)
    sql_streaks = run_reference("streaks", con, bars=market.bars, sessions=market.sessions)
    sql_tech = run_reference("technicals", con, bars=market.bars, sessions=market.sessions)
    want = run_reference(
        "breadth", con, members=market.members, streaks=sql_streaks, technicals=sql_tech
    )
    st_rows, tech = streaks(market.bars), technicals(market.bars)
    got = breadth(breadth_inputs(market, st_rows, tech), universe_sizes(market))
    agree(got, want, ["universe", "session_date"])


# ---- seeded continuation == full computation -----------------------------------------


@st.composite
def split_markets(draw, **kw) -> tuple[Market, int]:
    """A market and the index (in its span) of the first session to compute from a seed."""
    market = draw(markets(**kw).filter(lambda m: len(m.span) >= 2 and m.bars.height > 0))
    return market, draw(st.integers(1, len(market.span) - 1))


@PROPERTY
@given(case=split_markets())
def test_seeded_streaks_equal_the_full_computation(case):
    market, f = case
    first, prev = market.span[f], market.span[f - 1]
    full = streaks(market.bars)
    seed = full.filter(pl.col("session_date") == prev)
    part = streaks(market.bars.filter(pl.col("session_date") >= prev), seed=seed)
    agree(
        part.filter(pl.col("session_date") >= first),
        full.filter(pl.col("session_date") >= first),
        ["ticker", "session_date"],
    )


@PROPERTY
@given(case=split_markets())
def test_seeded_relative_runs_equal_the_full_computation(case):
    market, f = case
    first, prev = market.span[f], market.span[f - 1]
    rets = daily_returns(market.bars)
    full = relative_performance(rets, market.pairs)
    seed = full.filter(pl.col("session_date") == prev)
    part = relative_performance(rets.filter(pl.col("session_date") >= prev), market.pairs, seed)
    agree(
        part.filter(pl.col("session_date") >= first),
        full.filter(pl.col("session_date") >= first),
        ["ticker", "benchmark", "session_date"],
    )


@PROPERTY
@given(case=split_markets())
def test_seeded_technicals_equal_the_full_computation(case):
    """From the lookback window, each ticker's highest close before it and the RSI averages
    and count of bars stored on its last bar before ``first``; or, as the build does, the
    record state stored on that bar instead of the highest close before the window."""
    market, f = case
    first, start = market.span[f], market.span[max(0, f - LOOKBACK_SESSIONS)]
    full = technicals(market.bars)
    stored = (
        full.filter(pl.col("session_date") < first)
        .group_by("ticker")
        .agg(pl.all().sort_by("session_date").last())
        .filter(pl.col("rsi_avg_gain_14").is_not_null())
        .select(
            "ticker",
            pl.col("session_date").alias("seed_session"),
            "rsi_avg_gain_14",
            "rsi_avg_loss_14",
            "bars_to_date",
        )
    )
    prior = (
        market.bars.filter(pl.col("session_date") < start)
        .group_by("ticker")
        .agg(pl.col("close").max().alias("prior_max_close"))
    )
    seed = prior.join(stored, on="ticker", how="full", coalesce=True)
    frame = market.bars.filter(pl.col("session_date") >= start)
    part = technicals(frame, seed=seed)
    agree(
        part.filter(pl.col("session_date") >= first),
        full.filter(pl.col("session_date") >= first),
        ["ticker", "session_date"],
    )
    # as the build seeds it: the record closes continue from the stored row's highest close
    # to date and the year's count, with no bar before the lookback read
    record_state = (
        full.filter(pl.col("session_date") < first)
        .group_by("ticker")
        .agg(pl.all().sort_by("session_date").last())
        .select("ticker", "max_close_to_date", "record_closes_ytd")
    )
    seed = stored.join(record_state, on="ticker", how="left")
    part = technicals(frame, seed=seed)
    agree(
        part.filter(pl.col("session_date") >= first),
        full.filter(pl.col("session_date") >= first),
        ["ticker", "session_date"],
    )


@PROPERTY
@given(case=split_markets(max_tickers=22, max_sessions=300))
def test_seeded_breadth_equals_the_full_computation(case):
    market, f = case
    first = market.span[f]
    members = breadth_inputs(market, streaks(market.bars), technicals(market.bars))
    sizes = universe_sizes(market)
    full = breadth(members, sizes)
    seed = (
        full.filter(pl.col("session_date") < first)
        .group_by("universe")
        .agg(pl.all().sort_by("session_date").last())
    )
    part = breadth(members.filter(pl.col("session_date") >= first), sizes, seed=seed)
    agree(part, full.filter(pl.col("session_date") >= first), ["universe", "session_date"])
