"""The session panel and the shared-panel path of the per-ticker metrics."""

from __future__ import annotations

import random
from datetime import date

import polars as pl
from polars.testing import assert_frame_equal

from bellwether.calendar import sessions_between
from bellwether.metrics.panel import session_panel
from bellwether.metrics.per_ticker import ticker_metrics
from bellwether.metrics.returns import daily_returns
from bellwether.metrics.streaks import streaks
from bellwether.metrics.technicals import technicals

SESSIONS = sessions_between(date(2023, 1, 3), date(2024, 12, 31))


def market(seed: int = 7) -> pl.DataFrame:
    """Random walks for a few tickers starting and ending on different sessions, with
    missing bars (single and in runs)."""
    rng = random.Random(seed)
    rows = []
    for t, ticker in enumerate(["AAA", "BBB", "CCC", "^IDX"]):
        close = 100.0
        for i, s in enumerate(SESSIONS[t * 40 : len(SESSIONS) - t * 13]):
            close *= 1 + rng.gauss(0, 0.02)
            if i and (rng.random() < 0.03 or 100 <= i < 104):
                continue
            c = round(close, 2)
            rows.append(
                (ticker, s, c, c * 1.01, c * 0.99, c, rng.randint(0, 10**6), 2 if t == 3 else 4)
            )
    return pl.DataFrame(
        rows,
        schema={
            "ticker": pl.String, "session_date": pl.Date, "close": pl.Float64,
            "high": pl.Float64, "low": pl.Float64, "adj_close": pl.Float64,
            "volume": pl.Int64, "price_decimals": pl.Int32,
        },
        orient="row",
    )  # fmt: skip


def test_the_panel_has_every_session_of_each_ticker_in_order_whatever_the_input_order():
    bars = market()
    panel = session_panel(bars)
    shuffled = session_panel(bars.sample(fraction=1.0, shuffle=True, seed=3))
    assert_frame_equal(panel, shuffled)
    assert panel.height > bars.height
    assert panel["has_bar"].sum() == bars.height
    spans = panel.group_by("ticker").agg(
        pl.col("session_idx").diff().drop_nulls().eq(1).all().alias("consecutive"),
        pl.col("has_bar").first().alias("starts_on_a_bar"),
        pl.col("has_bar").last().alias("ends_on_a_bar"),
    )
    assert spans.select(pl.all_horizontal(pl.exclude("ticker")).all()).item()
    assert panel.select("ticker", "session_idx").equals(
        panel.select("ticker", "session_idx").sort("ticker", "session_idx")
    )
    idx = {s: i for i, s in enumerate(SESSIONS)}
    offset = idx[panel["session_date"].min()]
    assert all(idx[d] - offset == i for d, i in panel.select("session_date", "session_idx").rows())


def test_ticker_metrics_equal_the_single_functions_with_and_without_seeds():
    bars = market().sample(fraction=1.0, shuffle=True, seed=5)
    shared = ticker_metrics(bars)
    assert_frame_equal(shared["daily_returns"], daily_returns(bars))
    assert_frame_equal(shared["streaks"], streaks(bars))
    assert_frame_equal(shared["technicals"], technicals(bars))
    # from seeds: the stored rows of the session before a later first session
    first = SESSIONS[300]
    later = bars.filter(pl.col("session_date") >= SESSIONS[300 - 253])
    prev = shared["technicals"].filter(pl.col("session_date") < first)
    tseed = (
        prev.group_by("ticker")
        .agg(
            pl.col("close").max().alias("prior_max_close"),
            pl.col("session_date").last().alias("seed_session"),
            pl.col("rsi_avg_gain_14").last(),
            pl.col("rsi_avg_loss_14").last(),
        )
        .with_columns(pl.lit(None, dtype=pl.Float64).alias("prior_max_close"))
    )
    sseed = shared["streaks"].filter(pl.col("session_date") == SESSIONS[299])
    sseed = sseed.select("ticker", "session_date", "up_streak", "down_streak")
    seeded = ticker_metrics(later, streaks_seed=sseed, technicals_seed=tseed)
    assert_frame_equal(seeded["streaks"], streaks(later, seed=sseed))
    assert_frame_equal(seeded["technicals"], technicals(later, seed=tseed))
