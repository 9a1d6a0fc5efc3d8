"""Price and total returns.

:func:`daily_returns` -> ``marts.daily_returns``. All returns are fractions (0.01 = 1%).

* ``ret_1d = close / close[1] - 1`` and ``log_ret_1d = ln(close / close[1])``, where
  ``close[n]`` is the ticker's close *n NYSE sessions earlier*. If that bar is missing
  (first session of history, a gap in the source) the return is null.
* ``ret_5d``, ``ret_21d``, ``ret_52w`` likewise with n = 5, 21, 252.
* ``ret_mtd = close / base_m - 1`` with ``base_m`` the ticker's last stored close before the
  month's first session; ``ret_ytd`` the same with the last close of the previous year.
  Null where no such close is stored (history starting inside the period). A base older
  than the bars given (a gap longer than the lookback) comes from the ``seed``: each
  ticker's last stored bar before them.
* ``tr_1d`` and ``tr_ytd``: the same on ``adj_close`` (dividends and splits reinvested), so
  ``tr - ret`` is the dividend contribution. Within one ticker ``adj_close`` comes from one
  adjustment snapshot, so its ratios are consistent.

Input: bars with ``ticker, session_date, close, adj_close`` covering the output sessions
plus the lookback (253 sessions before the first output session covers every window,
including the previous year's last close).
"""

from __future__ import annotations

import polars as pl

from bellwether.metrics.panel import (
    ENGINE,
    keyed,
    lag,
    last_before,
    segment_first,
    segment_starts,
    session_panel,
)

#: Sessions of history needed before the first output session.
LOOKBACK_SESSIONS = 253

#: Bar columns :func:`daily_returns` reads.
INPUT_COLUMNS = ("ticker", "session_date", "close", "adj_close")

OUTPUT_COLUMNS = (
    "ticker", "session_date", "close", "ret_1d", "log_ret_1d", "ret_5d", "ret_21d",
    "ret_mtd", "ret_ytd", "ret_52w", "adj_close", "tr_1d", "tr_ytd",
)  # fmt: skip


def _period_base(last: str, period: pl.Expr) -> pl.Expr:
    """``last`` (a :func:`~bellwether.metrics.panel.last_before` column) at the ticker's first
    panel row of ``period`` (the panel is sorted, so a ticker's rows of a period are
    contiguous)."""
    return segment_first(pl.col(last), segment_starts(period))


#: Columns of a :func:`daily_returns` seed: each ticker's last stored bar before the bars.
SEED_COLUMNS = ("ticker", "base_close", "base_adj_close")


def _seeded(before: pl.Expr, seed: pl.DataFrame | None, column: str) -> pl.Expr:
    """``before`` (a :func:`~bellwether.metrics.panel.last_before` column), where it is null
    (no bar of the ticker earlier in the panel) the seed's ``column`` for the ticker."""
    if seed is None or seed.is_empty():
        return before
    stored = pl.col("ticker").replace_strict(
        seed["ticker"], seed[column], default=None, return_dtype=pl.Float64
    )
    return before.fill_null(stored)


def returns_plan(panel: pl.LazyFrame, seed: pl.DataFrame | None = None) -> pl.LazyFrame:
    """:func:`daily_returns` as a lazy query on a :func:`~bellwether.metrics.panel.keyed`
    session panel; ``seed`` as for :func:`daily_returns`."""
    year = pl.col("session_date").dt.year()
    month = pl.col("session_date").dt.month()
    p = panel.with_columns(
        _seeded(last_before("close"), seed, "base_close").alias("_close_before"),
        _seeded(last_before("adj_close"), seed, "base_adj_close").alias("_adj_before"),
    )
    out = p.with_columns(
        (pl.col("close") / lag("close", 1) - 1).alias("ret_1d"),
        (pl.col("close") / lag("close", 1)).log().alias("log_ret_1d"),
        (pl.col("close") / lag("close", 5) - 1).alias("ret_5d"),
        (pl.col("close") / lag("close", 21) - 1).alias("ret_21d"),
        (pl.col("close") / _period_base("_close_before", month) - 1).alias("ret_mtd"),
        (pl.col("close") / _period_base("_close_before", year) - 1).alias("ret_ytd"),
        (pl.col("close") / lag("close", 252) - 1).alias("ret_52w"),
        (pl.col("adj_close") / lag("adj_close", 1) - 1).alias("tr_1d"),
        (pl.col("adj_close") / _period_base("_adj_before", year) - 1).alias("tr_ytd"),
    )
    return out.filter(pl.col("has_bar")).select(OUTPUT_COLUMNS)


def daily_returns(bars: pl.DataFrame, seed: pl.DataFrame | None = None) -> pl.DataFrame:
    """Returns for every bar in ``bars`` (see module doc for definitions), sorted by ticker
    then session.

    ``seed`` (:data:`SEED_COLUMNS`, optional): for some tickers the close and adj_close of
    their last stored bar before ``bars``. It is the period base (``ret_mtd``, ``ret_ytd``,
    ``tr_ytd``) of a period with no earlier bar of the ticker in ``bars``; only those
    bases read it (``ret_1d`` and the other lags stay null across a gap)."""
    panel = keyed(session_panel(bars.select(INPUT_COLUMNS))).lazy()
    return returns_plan(panel, seed).collect(engine=ENGINE)
