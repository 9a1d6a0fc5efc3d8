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


#: The columns of each input mart's rows :func:`input_signature` reads, besides
#: ``ticker, session_date``.
SIGNATURE_COLUMNS: dict[str, tuple[str, ...]] = {"daily_returns": ("ret_1d", "ret_ytd")}


def input_signature(mart: str, rows: pl.DataFrame) -> pl.DataFrame:
    """What :func:`sector_performance` reads of a ``marts.<mart>`` row: of ``daily_returns``,
    ``ticker, session_date, ret_1d, ret_ytd`` (a row's presence, its returns and through
    them the ranks; its price levels have no part). Rows of tickers that are not sector
    ETFs are dropped when the change is queued (``sql/marts/enqueue_input_changes_*``).
    Another mart's rows have no part (an empty frame)."""
    if mart == "daily_returns":
        return rows.select("ticker", "session_date", "ret_1d", "ret_ytd")
    return rows.select("ticker", "session_date").clear()


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
