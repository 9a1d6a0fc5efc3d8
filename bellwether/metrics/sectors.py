"""Sector performance from the sector ETFs.

:func:`sector_performance` -> ``marts.sector_performance``: for every session, each sector
ETF's ``ret_1d`` and ``ret_ytd`` (from ``daily_returns``) with ``rank_1d`` = its rank by
``ret_1d`` among the sector ETFs with a return that session (1 = best; ties share the
better rank); null rank where ``ret_1d`` is null. ``sector_count`` is how many were ranked.
"""

from __future__ import annotations

import polars as pl

OUTPUT_COLUMNS = (
    "session_date",
    "sector",
    "ticker",
    "ret_1d",
    "ret_ytd",
    "rank_1d",
    "sector_count",
)


def sector_performance(returns: pl.DataFrame, sector_etfs: pl.DataFrame) -> pl.DataFrame:
    """``returns``: daily_returns rows; ``sector_etfs``: ``ticker, sector``."""
    rows = returns.join(sector_etfs.select("ticker", "sector"), on="ticker", how="inner")
    return (
        rows.with_columns(
            pl.col("ret_1d")
            .rank(method="min", descending=True)
            .over("session_date")
            .cast(pl.Int32)
            .alias("rank_1d"),
            pl.col("ret_1d").count().over("session_date").cast(pl.Int32).alias("sector_count"),
        )
        .select(OUTPUT_COLUMNS)
        .sort("session_date", "rank_1d", "ticker", nulls_last=True)
    )
