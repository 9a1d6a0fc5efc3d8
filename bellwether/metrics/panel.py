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


# ---- per-ticker operations on a sorted panel, without a window per ticker ------------------
#
# A window (``expr.over("ticker")``) hashes the ticker of every row and scatters each group's
# result back; on a panel already sorted by ticker most per-ticker operations can instead run
# over the whole column and be cut at the ticker boundaries. Only operations whose result is
# exact (shifts, gathers, integer sums, extremes) are done so: a floating-point running sum
# over the whole column would round differently from one that starts at the ticker.

#: polars engine the metrics' lazy queries run on: the in-memory engine. polars 2's default
#: (streaming) took about 1.4x its CPU time on the per-ticker metrics at 500 x 10 years.
ENGINE = "in-memory"

#: Column :func:`keyed` adds: a sorted integer per ticker (a window over it skips hashing).
KEY = "_ticker_key"
#: Column :func:`keyed` adds: the row number of the ticker's first panel row.
FIRST_ROW = "_ticker_first_row"


def keyed(panel: pl.DataFrame) -> pl.DataFrame:
    """``panel`` (a :func:`session_panel`) with :data:`KEY`, 0, 1, ... per ticker in panel
    order, flagged sorted, and :data:`FIRST_ROW`, the row number of the ticker's first row
    (valid while no row is removed or reordered: the metrics filter only at the end)."""
    first = (pl.col("ticker") != pl.col("ticker").shift(1)).fill_null(True)
    key = (first.cum_sum().cast(pl.UInt32) - 1).set_sorted()
    first_row = pl.when(first).then(pl.int_range(pl.len(), dtype=pl.Int64)).forward_fill()
    return panel.with_columns(key.alias(KEY), first_row.alias(FIRST_ROW))


def per_ticker(expr: pl.Expr) -> pl.Expr:
    """``expr`` evaluated over each ticker's rows of a :func:`keyed` panel, in panel order."""
    return expr.over(KEY)


def segment_starts(*within: pl.Expr) -> pl.Expr:
    """True on the first row of each ticker of a :func:`keyed` panel and wherever one of
    ``within`` (e.g. the year) changes inside a ticker: the starts of contiguous segments."""
    changes = [pl.col(KEY) != pl.col(KEY).shift(1), *[e != e.shift(1) for e in within]]
    return pl.any_horizontal(changes).fill_null(True)


def segment_start_row(starts: pl.Expr | None = None) -> pl.Expr:
    """Row number (in the frame) of the first row of each row's segment (``starts`` from
    :func:`segment_starts`; None: the ticker's first row, precomputed by :func:`keyed`)."""
    if starts is None:
        return pl.col(FIRST_ROW)
    return pl.when(starts).then(pl.int_range(pl.len(), dtype=pl.Int64)).forward_fill()


def segment_first(expr: pl.Expr, starts: pl.Expr | None = None) -> pl.Expr:
    """``expr``'s value on the first row of each row's segment (nulls included)."""
    return expr.gather(segment_start_row(starts))


def segment_cum_sum(expr: pl.Expr, starts: pl.Expr | None = None) -> pl.Expr:
    """Cumulative sum of an integer ``expr`` (no nulls) restarting at every segment start."""
    total = expr.cum_sum()
    return total - (total - expr).gather(segment_start_row(starts))


def segment_count_from_start(starts: pl.Expr | None = None) -> pl.Expr:
    """Position of each row in its segment (0 on the segment's first row)."""
    return pl.int_range(pl.len(), dtype=pl.Int64) - segment_start_row(starts)


def last_before(col: str) -> pl.Expr:
    """Last non-null ``col`` strictly before each row on the same ticker of a :func:`keyed`
    panel (a forward fill then a one-session lag, per ticker)."""
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    source = pl.when(pl.col(col).is_not_null()).then(row).forward_fill().shift(1)
    inside = source >= segment_start_row()
    return pl.when(inside).then(pl.col(col).gather(source.fill_null(0)))
