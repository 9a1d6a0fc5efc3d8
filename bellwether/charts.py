"""Charts rendered offline with matplotlib (Agg): frame in, PNG bytes out.

Used by the market brief (embedded in its HTML) and by asset metadata in the Dagster UI.
Every function takes the rows of a named query (``sql/queries``) so a chart shows the
same numbers a query returns.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import polars as pl

DPI = 100
SIZE = (7.5, 3.4)


def _png(fig, date_axis: bool = True) -> bytes:
    for ax in fig.axes if date_axis else []:  # dates as dates, however few sessions a chart shows
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=DPI)
    plt.close(fig)
    return buf.getvalue()


def rebased_lines(rows: pl.DataFrame, title: str) -> bytes:
    """``ticker, session_date, rebased`` (query ``index_levels_rebased``): one line each."""
    fig, ax = plt.subplots(figsize=SIZE)
    for (ticker,), g in rows.sort("session_date").group_by("ticker", maintain_order=True):
        ax.plot(g["session_date"].to_list(), g["rebased"].to_list(), label=ticker, linewidth=1.4)
    ax.axhline(100, color="#888", linewidth=0.8, linestyle=":")
    ax.set_title(title, fontsize=10)
    ax.set_ylabel("previous year's last close = 100")
    ax.legend(fontsize=8, ncols=4, loc="upper left")
    ax.grid(alpha=0.3)
    return _png(fig)


def ratio_line(rows: pl.DataFrame, title: str) -> bytes:
    """``session_date, price_ratio`` (query ``relative_strength_line``)."""
    fig, ax = plt.subplots(figsize=SIZE)
    ax.plot(
        rows["session_date"].to_list(),
        rows["price_ratio"].to_list(),
        color="#1f77b4",
        linewidth=1.4,
    )
    ax.set_title(title, fontsize=10)
    ax.set_ylabel("price ratio")
    ax.grid(alpha=0.3)
    return _png(fig)


def sector_bars(rows: pl.DataFrame, title: str) -> bytes:
    """``sector, ticker, ret_1d`` (query ``sector_leaders_laggards``): the day's moves, sorted."""
    rows = rows.filter(pl.col("ret_1d").is_not_null()).sort("ret_1d")
    fig, ax = plt.subplots(figsize=SIZE)
    values = [v * 100 for v in rows["ret_1d"].to_list()]
    colors = ["#2ca02c" if v >= 0 else "#d62728" for v in values]
    labels = [f"{s} ({t})" for s, t in rows.select("sector", "ticker").iter_rows()]
    ax.barh(labels, values, color=colors)
    ax.axvline(0, color="#444", linewidth=0.8)
    ax.set_xlabel("change on the day, %")
    ax.set_title(title, fontsize=10)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(alpha=0.3, axis="x")
    return _png(fig, date_axis=False)


def breadth_lines(rows: pl.DataFrame, title: str) -> bytes:
    """``session_date, ad_line, pct_above_sma_50`` (query ``breadth_history``)."""
    fig, ax = plt.subplots(figsize=SIZE)
    dates = rows["session_date"].to_list()
    ax.plot(dates, rows["ad_line"].to_list(), color="#1f77b4", linewidth=1.4, label="A/D line")
    ax.set_ylabel("A/D line")
    ax2 = ax.twinx()
    ax2.plot(
        dates,
        rows["pct_above_sma_50"].to_list(),
        color="#ff7f0e",
        linewidth=1.2,
        label="% above 50-day SMA",
    )
    ax2.set_ylabel("% above 50-day SMA")
    ax2.set_ylim(0, 100)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    lines = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    ax.legend(lines, ["A/D line", "% above 50-day SMA"], fontsize=8, loc="upper left")
    return _png(fig)
