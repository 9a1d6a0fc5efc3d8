"""Placing bars on the NYSE session calendar.

:func:`session_panel` gives every ticker one row per XNYS session from its first to its
last bar in the input, with ``session_idx`` (the session's ordinal in the calendar) and a
``has_bar`` flag; sessions without a bar have null values. ``shift(n)`` over a ticker's
panel is then exactly "n sessions earlier".
"""

from __future__ import annotations

from datetime import date

import polars as pl

from bellwether.calendar import sessions_between


def session_index(start: date, end: date) -> pl.DataFrame:
    """Sessions in ``[start, end]`` with their calendar ordinal (``session_idx``, from 0 at
    ``start``; only differences between ordinals matter)."""
    sessions = sessions_between(start, end)
    return pl.DataFrame(
        {"session_date": sessions, "session_idx": range(len(sessions))},
        schema={"session_date": pl.Date, "session_idx": pl.Int64},
    )


def session_panel(bars: pl.DataFrame) -> pl.DataFrame:
    """One row per (ticker, session) between each ticker's first and last bar.

    Output: the input columns plus ``session_idx`` (Int64) and ``has_bar`` (Boolean),
    sorted by ticker then session. Input rows whose date is not a session are an error.
    """
    if bars.is_empty():
        return bars.with_columns(
            pl.lit(None, dtype=pl.Int64).alias("session_idx"),
            pl.lit(None, dtype=pl.Boolean).alias("has_bar"),
        )
    cal = session_index(bars["session_date"].min(), bars["session_date"].max())
    placed = bars.join(cal, on="session_date", how="left")
    if placed["session_idx"].null_count():
        bad = (
            placed.filter(pl.col("session_idx").is_null())["session_date"].unique().sort().to_list()
        )
        raise ValueError(f"bars on non-session dates: {bad[:5]}")
    spans = placed.group_by("ticker").agg(
        pl.int_ranges(pl.col("session_idx").min(), pl.col("session_idx").max() + 1).alias(
            "session_idx"
        )
    )
    grid = spans.explode("session_idx").join(cal, on="session_idx", how="left")
    placed = placed.drop("session_date").with_columns(pl.lit(True).alias("has_bar"))
    return (
        grid.join(placed, on=["ticker", "session_idx"], how="left")
        .with_columns(pl.col("has_bar").fill_null(False))
        .sort("ticker", "session_idx")
    )


def lag(col: str, n: int) -> pl.Expr:
    """``col`` n sessions earlier on the same ticker's panel."""
    return pl.col(col).shift(n).over("ticker", order_by="session_idx")
