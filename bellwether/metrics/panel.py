"""Placing bars on the NYSE session calendar.

:func:`session_panel` gives every ticker one row per XNYS session from its first to its
last bar in the input, with ``session_idx`` (the session's ordinal in the calendar) and a
``has_bar`` flag; sessions without a bar have null values. The panel is sorted by ticker
then session, so each ticker's rows are contiguous and consecutive rows of a ticker are
consecutive sessions: ``shift(n)`` within a ticker's rows (:func:`lag`) is then exactly
"n sessions earlier", and a window over a ticker's rows in panel order is a window over
its sessions.
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


#: Ticker codes are multiplied by this in a sort key (session ordinals stay far below it).
_SHIFT = 1 << 32


def _is_ordered(frame: pl.DataFrame) -> bool:
    """True if ``frame`` is strictly increasing by (ticker, session_idx)."""
    tk, si = pl.col("ticker"), pl.col("session_idx")
    later = (tk > tk.shift(1)) | ((tk == tk.shift(1)) & (si > si.shift(1)))
    return bool(frame.select(later.slice(1).all()).item())


def _sort_by_ticker_session(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` sorted by (ticker, session_idx), ties in input order. Sorting on one integer
    key (the ticker's rank among the few distinct tickers, then the session) is several
    times faster than a sort on the string column."""
    names = frame["ticker"].unique().sort()
    code = frame["ticker"].replace_strict(
        names, pl.int_range(names.len(), dtype=pl.Int64, eager=True), return_dtype=pl.Int64
    )
    key = code * _SHIFT + frame["session_idx"]
    return frame.with_columns(key.alias("_key")).sort("_key", maintain_order=True).drop("_key")


def session_panel(bars: pl.DataFrame) -> pl.DataFrame:
    """One row per (ticker, session) between each ticker's first and last bar.

    Output: ``ticker, session_idx`` (Int64), ``session_date``, the other input columns and
    ``has_bar`` (Boolean), sorted by ticker then session. Input rows whose date is not a
    session are an error.
    """
    if bars.is_empty():
        return bars.with_columns(
            pl.lit(None, dtype=pl.Int64).alias("session_idx"),
            pl.lit(None, dtype=pl.Boolean).alias("has_bar"),
        )
    cal = session_index(bars["session_date"].min(), bars["session_date"].max())["session_date"]
    idx = cal.search_sorted(bars["session_date"], side="left").cast(pl.Int64)
    found = (
        cal.gather(idx.clip(upper_bound=cal.len() - 1)) == bars["session_date"]
        if cal.len()
        else pl.Series([False] * bars.height)
    )
    if not found.all():
        bad = bars.filter(~found)["session_date"].unique().sort().to_list()
        raise ValueError(f"bars on non-session dates: {bad[:5]}")
    placed = bars.with_columns(idx.alias("session_idx"), pl.lit(True).alias("has_bar"))
    if not _is_ordered(placed):  # bars usually arrive sorted: then no sort at all
        placed = _sort_by_ticker_session(placed)
    # the sessions a ticker has no bar on: the gaps between its consecutive bars
    tk, si = pl.col("ticker"), pl.col("session_idx")
    first = (tk != tk.shift(1)).fill_null(True)
    placed = placed.with_columns(first.cum_sum().alias("_t"), si.shift(1).alias("_prev"))
    gaps = placed.filter(~first & (si - pl.col("_prev") > 1)).select(
        "ticker", "_t", pl.int_ranges(pl.col("_prev") + 1, si).alias("session_idx")
    )
    if gaps.height:
        gaps = gaps.explode("session_idx")
        gaps = gaps.with_columns(
            cal.gather(gaps["session_idx"]).alias("session_date"), pl.lit(False).alias("has_bar")
        )
        placed = pl.concat([placed, gaps], how="diagonal_relaxed").sort(
            pl.col("_t").cast(pl.Int64) * _SHIFT + pl.col("session_idx")
        )
    rest = [c for c in bars.columns if c not in ("ticker", "session_date")]
    return placed.select("ticker", "session_idx", "session_date", *rest, "has_bar")


def lag(col: str, n: int) -> pl.Expr:
    """``col`` n sessions earlier on the same ticker's panel (a :func:`session_panel`, in its
    order: null where the ticker's panel starts less than n rows earlier)."""
    return pl.when(pl.col("ticker").shift(n) == pl.col("ticker")).then(pl.col(col).shift(n))
