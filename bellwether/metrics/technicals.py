"""Technical levels: moving averages, RSI, 52-week range, volume, volatility, records.

:func:`technicals` -> ``marts.technicals``. Windows count NYSE sessions on the ticker's
session panel; a window that is not full (history too short, or a missing bar inside it)
gives null.

* ``sma_N``: mean of ``close`` over the N sessions ending today (N = 20, 50, 200).
* ``rsi_14``: Wilder's RSI on close-to-close changes. ``avg_gain``/``avg_loss`` start as the
  simple means of the first 14 changes of history, then ``avg = (prev * 13 + x) / 14``;
  ``rsi_14 = 100 - 100 / (1 + avg_gain / avg_loss)``; 100 when ``avg_loss = 0 < avg_gain``,
  null when both are 0. A session without a change (previous bar missing) carries the
  averages unchanged. The averages are stored (``rsi_avg_gain_14``, ``rsi_avg_loss_14``) so
  a later run continues them exactly.
* ``high_52w`` / ``low_52w``: highest intraday ``high`` / lowest ``low`` over the 252
  sessions ending today (today included); ``pct_from_high_52w = close / high_52w - 1``
  (a fraction, <= 0). ``is_new_high_52w``: today's high is the 52-week high;
  ``is_new_low_52w`` likewise. ``high_52w_session``: the latest session of that window
  whose ``high`` equals ``high_52w`` (today when today's high is the high; the later of
  two equal highs); null where ``high_52w`` is.
* ``avg_volume_N``: mean volume over the N sessions ending the *previous* session (today
  excluded, as quote pages show it beside today's volume), N = 20, 63.
  ``rel_volume = volume / avg_volume_63`` (today's volume against its 3-month average).
* ``volatility_20d``: sample standard deviation of the 20 daily log returns ending today,
  annualised by ``sqrt(252)`` (a fraction: 0.20 = 20%).
* ``is_record_close``: ``close`` above every earlier close in the stored history (false
  on the first stored session). ``record_closes_ytd``: record closes in the calendar year
  up to and including today.

* ``bars_to_date``: the ticker's bars stored up to and including today (its first stored
  bar counts 1): tells a short history (fewer bars than a window) from a gap inside one.
* ``max_close_to_date``: the highest ``close`` of the ticker's stored bars up to and
  including today (so ``is_record_close`` is ``close`` above the previous row's value):
  the state a later build continues the record closes from without reading older bars.

``seed`` supplies what lies before the frame: ``prior_max_close`` (max close before the
frame's first session), and the RSI averages, ``bars_to_date``, ``max_close_to_date`` and
``record_closes_ytd`` stored for the session ``seed_session`` (a null ``bars_to_date``:
the frame counts from its own first bar; a null ``max_close_to_date`` or
``record_closes_ytd``: records are counted from ``prior_max_close`` and the frame). After
``seed_session`` the record closes continue from the stored ``max_close_to_date`` and
``record_closes_ytd``, so ``prior_max_close`` is not needed for a seeded ticker.

A price is *above* its moving average (:func:`is_above_average`, SQL
``bw.is_above_average``) when it exceeds it by more than :data:`ABOVE_AVERAGE_REL_TOL` of
the average. A close equal to its average (the same close over the whole window) is not
above it, whichever way the summation rounds the mean.
"""

from __future__ import annotations

import math

import polars as pl

from bellwether.metrics.panel import (
    ENGINE,
    keyed,
    lag,
    per_ticker,
    segment_count_from_start,
    segment_cum_sum,
    segment_starts,
    session_panel,
)

#: How far above its moving average a price must be to count as above it, as a fraction of
#: the average: ``price - average > ABOVE_AVERAGE_REL_TOL * |average|``. A moving average
#: is a sum of rounded numbers: a price equal to it (a stock that closed at one price over
#: the whole window) comes out some units of the 17th digit above or below it depending on
#: the engine's order of summation (polars' running sums, DuckDB's ``avg``, pandas), and
#: marts rebuilt over other ranges agree to 1e-9 relative (docs/OPERATIONS.md). Below that,
#: "above" would depend on how a figure was computed, not on the prices.
ABOVE_AVERAGE_REL_TOL = 1e-9


def is_above_average(price: pl.Expr, average: pl.Expr) -> pl.Expr:
    """``price`` is above ``average`` by more than :data:`ABOVE_AVERAGE_REL_TOL` of it
    (null when either is null): the rule of every "above its N-day average" figure, the
    same as the SQL macro ``bw.is_above_average``."""
    return (price - average) > ABOVE_AVERAGE_REL_TOL * average.abs()


LOOKBACK_SESSIONS = 253
RSI_N = 14

#: Bar columns :func:`technicals` reads.
INPUT_COLUMNS = ("ticker", "session_date", "high", "low", "close", "volume")

OUTPUT_COLUMNS = (
    "ticker", "session_date", "close", "sma_20", "sma_50", "sma_200", "rsi_14", "high_52w", "low_52w",
    "pct_from_high_52w", "is_new_high_52w", "is_new_low_52w", "volume", "avg_volume_20", "avg_volume_63",
    "rel_volume", "volatility_20d", "is_record_close", "record_closes_ytd", "rsi_avg_gain_14", "rsi_avg_loss_14",
    "bars_to_date", "max_close_to_date", "high_52w_session",
)  # fmt: skip

#: Bits of a row's position in :func:`_latest_session_of_window_max`'s code (frames of
#: up to 2**31 rows).
_POSITION_BITS = 31


def _latest_session_of_window_max(x: str, n: int) -> pl.Expr:
    """The session of the latest row among the ``n`` ending at each row (over the whole
    column, like ``rolling_max``) whose ``x`` is the window's maximum; null where the
    window is not full. Exact: each row is coded ``dense_rank(x) * 2**31 + position``, so
    the rolling maximum of the codes is the window's largest ``x`` (equal values rank
    equal), the latest of them on a tie."""
    position = pl.int_range(pl.len(), dtype=pl.Int64)
    code = pl.col(x).rank("dense").cast(pl.Int64) * (1 << _POSITION_BITS) + position
    latest = code.rolling_max(n, min_samples=n) % (1 << _POSITION_BITS)
    return pl.col("session_date").gather(latest)


def _wilder_input(x: str, seed_value: str, is_seed_row: str) -> pl.Expr:
    """The series a Wilder average of column ``x`` runs over: ``seed_value`` on the row
    flagged ``is_seed_row``, ``x`` after it, null before it (in each ticker)."""
    start = segment_cum_sum(pl.col(is_seed_row).cast(pl.Int64)) > 0
    return (
        pl.when(pl.col(is_seed_row)).then(pl.col(seed_value))
        .when(start).then(pl.col(x))
        .otherwise(None)
    )  # fmt: skip


def _wilder(series: str) -> pl.Expr:
    """Wilder average over a :func:`_wilder_input` column (null changes carry the average):
    it starts at the seed row with the seed value (an EMA's first value is its input)."""
    # ewm_mean leaves a null where its input is null; the average is carried there
    return per_ticker(
        pl.col(series).ewm_mean(alpha=1 / RSI_N, adjust=False, ignore_nulls=True).forward_fill()
    )


def _on_seed_row(col: str) -> pl.Expr:
    """``col`` on the ticker's seed row (``session_date == seed_session``), on every row of
    the ticker; null without a seed row in the frame."""
    return per_ticker(
        pl.when(pl.col("session_date") == pl.col("seed_session")).then(pl.col(col)).max()
    )


def technicals(bars: pl.DataFrame, seed: pl.DataFrame | None = None) -> pl.DataFrame:
    """Technicals for every bar in ``bars`` (``ticker, session_date, high, low, close, volume``).

    ``seed`` (optional): ``ticker, seed_session, rsi_avg_gain_14, rsi_avg_loss_14`` and
    any of ``prior_max_close``, ``bars_to_date``, ``max_close_to_date``,
    ``record_closes_ytd`` (module doc); ``seed_session`` must be a session inside ``bars``.
    """
    panel = keyed(session_panel(bars.select(INPUT_COLUMNS)))
    return technicals_plan(panel.lazy(), seed).collect(engine=ENGINE)


def technicals_plan(panel: pl.LazyFrame, seed: pl.DataFrame | None = None) -> pl.LazyFrame:
    """:func:`technicals` as a lazy query on a :func:`~bellwether.metrics.panel.keyed`
    session panel."""
    if seed is None:
        seed = pl.DataFrame(schema={
            "ticker": pl.String, "prior_max_close": pl.Float64, "seed_session": pl.Date,
            "rsi_avg_gain_14": pl.Float64, "rsi_avg_loss_14": pl.Float64,
        })  # fmt: skip
    for name, dtype in (("prior_max_close", pl.Float64), ("bars_to_date", pl.Int64), ("max_close_to_date", pl.Float64),
                        ("record_closes_ytd", pl.Int32)):  # fmt: skip
        if name not in seed.columns:
            seed = seed.with_columns(pl.lit(None, dtype=dtype).alias(name))
    seed = seed.rename(
        {"bars_to_date": "_seed_bars", "max_close_to_date": "_seed_max",
         "record_closes_ytd": "_seed_ytd"}
    )  # fmt: skip
    p = panel.join(seed.lazy(), on="ticker", how="left", maintain_order="left")
    ticker_rows = segment_count_from_start()
    change = pl.col("close") - lag("close", 1)
    p = p.with_columns(
        change.clip(lower_bound=0).alias("_gain"),
        (-change).clip(lower_bound=0).alias("_loss"),
        segment_cum_sum(change.is_not_null().cast(pl.Int64)).alias("_n_changes"),
    )
    # Wilder's start: the 14th change of history, unless a stored seed is in the frame
    has_seed = pl.col("seed_session").is_not_null()
    first_avg = (pl.col("_n_changes") == RSI_N) & change.is_not_null()
    p = p.with_columns(
        (per_ticker(pl.col("_gain").cum_sum()) / RSI_N).alias("_sma_gain"),
        (per_ticker(pl.col("_loss").cum_sum()) / RSI_N).alias("_sma_loss"),
    ).with_columns(
        pl.when(has_seed)
        .then(pl.col("session_date") == pl.col("seed_session"))
        .otherwise(first_avg)
        .alias("_start"),
        pl.when(has_seed)
        .then(pl.col("rsi_avg_gain_14"))
        .otherwise(pl.col("_sma_gain"))
        .alias("_g0"),
        pl.when(has_seed)
        .then(pl.col("rsi_avg_loss_14"))
        .otherwise(pl.col("_sma_loss"))
        .alias("_l0"),
    )
    p = p.with_columns(
        _wilder_input("_gain", "_g0", "_start").alias("_gain_series"),
        _wilder_input("_loss", "_l0", "_start").alias("_loss_series"),
    ).with_columns(
        _wilder("_gain_series").alias("rsi_avg_gain_14"),
        _wilder("_loss_series").alias("rsi_avg_loss_14"),
    )
    g, lo = pl.col("rsi_avg_gain_14"), pl.col("rsi_avg_loss_14")
    rsi = (
        pl.when((lo == 0) & (g > 0)).then(100.0)
        .when((lo == 0) & (g == 0)).then(None)
        .otherwise(100 - 100 / (1 + g / lo))
    )  # fmt: skip
    # elementwise inputs of windows are columns first: inside a window they would be
    # evaluated per ticker
    p = p.with_columns((pl.col("close") / lag("close", 1)).log().alias("_log_ret"))
    # cum_max is null on a session without a bar: carry it so the next bar still compares
    prior_max = per_ticker(pl.col("close").cum_max().forward_fill().shift(1))
    prior_max = pl.max_horizontal(prior_max, pl.col("prior_max_close"))
    # after a seed row with its stored maximum: that maximum and the closes since the seed
    after_seed = (pl.col("session_date") > pl.col("seed_session")).fill_null(False) & pl.col(
        "_seed_max"
    ).is_not_null()
    max_since_seed = per_ticker(
        pl.when(after_seed).then(pl.col("close")).cum_max().forward_fill().shift(1)
    )
    prior_max = (
        pl.when(after_seed)
        .then(pl.max_horizontal(pl.col("_seed_max"), max_since_seed))
        .otherwise(prior_max)
    )
    year = pl.col("session_date").dt.year()
    p = p.with_columns(
        *[
            per_ticker(pl.col("close").rolling_mean(n, min_samples=n)).alias(f"sma_{n}")
            for n in (20, 50, 200)
        ],
        rsi.alias("rsi_14"),
        # extremes are exact: over the whole column, null where the window leaves the ticker
        pl.when(ticker_rows >= 251)
        .then(pl.col("high").rolling_max(252, min_samples=252))
        .alias("high_52w"),
        pl.when(ticker_rows >= 251)
        .then(pl.col("low").rolling_min(252, min_samples=252))
        .alias("low_52w"),
        pl.when(ticker_rows >= 251)
        .then(_latest_session_of_window_max("high", 252))
        .alias("high_52w_session"),
        *[
            per_ticker(
                pl.col("volume").cast(pl.Float64).rolling_mean(n, min_samples=n).shift(1)
            ).alias(f"avg_volume_{n}")
            for n in (20, 63)
        ],
        (
            per_ticker(pl.col("_log_ret").rolling_std(20, min_samples=20, ddof=1)) * math.sqrt(252)
        ).alias("volatility_20d"),
        pl.when(prior_max.is_null())
        .then(False)
        .otherwise(pl.col("close") > prior_max)
        .alias("is_record_close"),
    )
    p = p.with_columns(
        (pl.col("close") / pl.col("high_52w") - 1).alias("pct_from_high_52w"),
        (pl.col("high") >= pl.col("high_52w")).alias("is_new_high_52w"),
        (pl.col("low") <= pl.col("low_52w")).alias("is_new_low_52w"),
        pl.when(pl.col("avg_volume_63") > 0).then(pl.col("volume") / pl.col("avg_volume_63")).alias("rel_volume"),
        segment_cum_sum(pl.col("is_record_close").fill_null(False).cast(pl.Int32), segment_starts(year))
        .alias("_ytd_in_frame"),
        pl.when(pl.col("has_bar")).then(pl.max_horizontal(prior_max, pl.col("close"))).alias("max_close_to_date"),
    )  # fmt: skip
    # in the seed's year, after it: the stored count on the seed row plus the frame's since;
    # a later year restarts inside the frame (all its rows are after the seed)
    seed_year = pl.col("seed_session").dt.year()
    p = p.with_columns(_on_seed_row("_ytd_in_frame").alias("_ytd_at_seed"))
    p = p.with_columns(
        pl.when(after_seed & pl.col("_seed_ytd").is_not_null() & (year == seed_year))
        .then(pl.col("_seed_ytd") + pl.col("_ytd_in_frame") - pl.col("_ytd_at_seed"))
        .otherwise(pl.col("_ytd_in_frame"))
        .cast(pl.Int32)
        .alias("record_closes_ytd")
    )  # fmt: skip
    # bars in the frame so far; with a seed, its stored count on seed_session carries on
    p = p.with_columns(segment_cum_sum(pl.col("has_bar").cast(pl.Int64)).alias("_in_frame"))
    p = p.with_columns(_on_seed_row("_in_frame").alias("_at_seed"))
    p = p.with_columns(
        pl.when(pl.col("_seed_bars").is_not_null() & pl.col("_at_seed").is_not_null())
        .then(pl.col("_seed_bars") + pl.col("_in_frame") - pl.col("_at_seed"))
        .otherwise(pl.col("_in_frame"))
        .alias("bars_to_date")
    )
    return p.filter(pl.col("has_bar")).select(OUTPUT_COLUMNS)
