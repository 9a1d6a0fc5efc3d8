"""Keeping ``marts.period_bases`` and ``marts.close_records`` with the marts builds.

Definitions: :mod:`bellwether.metrics.period_state` and docs/METRICS.md.

* The daily_returns build of ``first..last`` (for some tickers or all) recomputes the
  period bases of the months in ``(first, month_after(last)]``: each such base is the last
  bar before the month, so it depends on the bars from ``month_start(first)`` on, which
  the build reads, and on the stored base of ``month_start(first)`` (the seed). Months
  later than ``month_after(last)`` depend on the range only through bars the range did not
  change, unless its inputs changed, and then the any-order rule
  (:mod:`bellwether.invalidation`) rebuilds the mart's suffix, and these rows with it.
* The technicals build of ``first..last`` recomputes the close records among its stored
  rows, continuing from the highest stored close before ``first``.

A ticker with history before the range but no state for it (a warehouse built before
these tables existed) is recomputed from its first stored bar or row, once.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl

from bellwether.metrics.period_state import (
    close_records,
    month_after,
    month_start,
    months_between,
    period_bases,
)
from bellwether.sqlfiles import load_sql

HISTORY_START = date(1900, 1, 1)


def _q(con: duckdb.DuckDBPyConnection, name: str, params: list) -> pl.DataFrame:
    return con.sql(load_sql(name), params=params).pl()


def _insert(con: duckdb.DuckDBPyConnection, name: str, rows: pl.DataFrame) -> None:
    con.register("incoming_state", rows.to_arrow())
    try:
        con.execute(load_sql(name))
    finally:
        con.unregister("incoming_state")


def update_period_bases(
    con: duckdb.DuckDBPyConnection,
    first: date,
    last: date,
    tickers: list[str] | None,
    bars: pl.DataFrame,
) -> frozenset[str]:
    """Recompute the period bases of the months in ``(first, month_after(last)]`` for
    ``tickers`` (None: every ticker), from the stored bars (see module doc). ``bars``:
    the build's bars (``ticker, session_date, close``), from at least a year before
    ``first`` to ``last``. Returns the tickers recomputed from their first bar (bars
    before ``first`` but no stored base): their earlier months were rewritten too."""
    m0, m_end = month_start(first), month_after(last)
    months = months_between(m0, m_end)
    before = bars.filter(pl.col("session_date") < m0)
    bars = bars.filter(pl.col("session_date") >= m0).select("ticker", "session_date", "close")
    if last + timedelta(days=1) < m_end:  # stored bars after the range, in its last month
        later = _q(
            con, "marts/read_bars", [last + timedelta(days=1), m_end - timedelta(days=1), tickers]
        )
        bars = pl.concat([bars, later.select(bars.columns)])
    seed = _q(con, "marts/state_period_bases_on", [m0, tickers])
    # tickers with a bar before m0 but no stored base there: never built, from the start
    unbuilt = sorted(set(before["ticker"].unique().to_list()) - set(seed["ticker"].to_list()))
    rows = period_bases(bars.filter(~pl.col("ticker").is_in(unbuilt)), months, seed)
    con.execute(load_sql("marts/state_period_bases_delete"), [months[0], m_end, tickers])
    parts = [rows]
    if unbuilt:
        every = _q(con, "marts/read_bars", [HISTORY_START, m_end - timedelta(days=1), unbuilt])
        every = every.select("ticker", "session_date", "close")
        first_bar = every["session_date"].min()
        parts.append(period_bases(every, months_between(first_bar, m_end)))
        con.execute(load_sql("marts/state_period_bases_delete"), [HISTORY_START, m_end, unbuilt])
    _insert(con, "marts/state_period_bases_insert", pl.concat(parts))
    return frozenset(unbuilt)


def update_close_records(
    con: duckdb.DuckDBPyConnection,
    first: date,
    last: date,
    tickers: list[str] | None,
) -> frozenset[str]:
    """Recompute the close records of sessions ``first..last`` for ``tickers`` (None:
    every ticker) from the stored technicals rows (see module doc). Returns the tickers
    recomputed from their first row (stored rows before ``first`` but no record state):
    their rows before ``first`` were rewritten too."""
    rows = _q(con, "marts/state_close_records_rows", [first, last, tickers])
    prior = _q(con, "marts/state_close_records_prior", [first, tickers])
    no_prior = sorted(set(rows["ticker"].unique().to_list()) - set(prior["ticker"].to_list()))
    unbuilt: list[str] = []
    if no_prior:
        unbuilt = _q(con, "marts/state_close_records_stored_before", [first, no_prior])[
            "ticker"
        ].to_list()
    records = close_records(rows.filter(~pl.col("ticker").is_in(unbuilt)), prior)
    con.execute(load_sql("marts/state_close_records_delete"), [first, last, tickers])
    parts = [records]
    if unbuilt:
        every = _q(con, "marts/state_close_records_rows", [HISTORY_START, last, sorted(unbuilt)])
        parts.append(close_records(every))
        con.execute(
            load_sql("marts/state_close_records_delete"), [HISTORY_START, last, sorted(unbuilt)]
        )
    _insert(con, "marts/state_close_records_insert", pl.concat(parts))
    return frozenset(unbuilt)
