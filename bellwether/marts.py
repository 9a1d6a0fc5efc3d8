"""Building the marts for a range of sessions: read the lookback, compute, replace.

Each ``build_*`` function reads from the warehouse only what its windows need (the
lookback before the first session, or the stored seed row of the previous session),
calls the pure polars function from :mod:`bellwether.metrics`, and replaces exactly the
sessions ``first..last`` of its table in the same transaction.

Seeds make runs exact across partition and run boundaries: streaks, outperformance runs,
RSI averages, the A/D line and McClellan EMAs continue from the stored row of the session
before the range. When that row is missing for an instrument that has a bar there (the
mart was never built for earlier sessions), the build falls back to a full recompute from
the first stored bar, so a sub-range backfill always equals a full recompute.

Quality gate: before writing, rows that stand on bars which failed a blocking check of
``raw/daily_bars`` are withheld (see :func:`_gate` and ``docs/QUALITY.md``), so every
published figure stands on data that passed its checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from bellwether.calendar import previous_session, sessions_between
from bellwether.metrics.breadth import breadth
from bellwether.metrics.relative import relative_performance
from bellwether.metrics.returns import LOOKBACK_SESSIONS as RETURNS_LOOKBACK
from bellwether.metrics.returns import daily_returns
from bellwether.metrics.sectors import sector_performance
from bellwether.metrics.streaks import streaks
from bellwether.metrics.technicals import LOOKBACK_SESSIONS as TECHNICALS_LOOKBACK
from bellwether.metrics.technicals import technicals
from bellwether.sqlfiles import load_sql
from bellwether.universe import UniverseConfig
from bellwether.warehouse import Warehouse


@dataclass(frozen=True)
class MartBuild:
    """What one build wrote."""

    table: str
    first_session: date
    last_session: date
    rows: int
    full_recompute: bool
    preview: pl.DataFrame

    def metadata(self) -> dict:
        return {
            "dagster/row_count": self.rows,
            "first_session": str(self.first_session),
            "last_session": str(self.last_session),
            "full_recompute": self.full_recompute,
        }


def combine_builds(builds: Sequence[MartBuild]) -> MartBuild:
    """One :class:`MartBuild` for consecutive chunk builds of the same table, in order:
    rows summed, ``full_recompute`` if any chunk recomputed, the preview of the last."""
    if not builds:
        raise ValueError("no build to combine")
    return MartBuild(
        table=builds[0].table,
        first_session=builds[0].first_session,
        last_session=builds[-1].last_session,
        rows=sum(b.rows for b in builds),
        full_recompute=any(b.full_recompute for b in builds),
        preview=builds[-1].preview,
    )


def _query(con: duckdb.DuckDBPyConnection, name: str, params: Sequence) -> pl.DataFrame:
    return con.sql(load_sql(name), params=list(params)).pl()


def _gate(
    con: duckdb.DuckDBPyConnection, rows: pl.DataFrame, first: date, last: date, scope: str
) -> pl.DataFrame:
    """Withhold what failed blocking checks (``dq.check_results`` of raw/daily_bars).

    ``scope`` ``ticker``: drop the (session, ticker) rows named by a failed blocking row
    check and whole sessions that failed an integrity check; ``pair``: the same when either
    the ticker or the benchmark is withheld; ``session``: drop every session with any
    failed blocking check (cross-sectional marts).
    """
    sessions = _query(con, "dq/blocked_sessions", [first, last])
    if scope == "session":
        return rows.join(sessions.select("session_date"), on="session_date", how="anti")
    bad = _query(con, "dq/blocked_rows", [first, last])
    rows = rows.join(
        sessions.filter(pl.col("integrity")).select("session_date"), on="session_date", how="anti"
    )
    rows = rows.join(bad, on=["session_date", "ticker"], how="anti")
    if scope == "pair":
        rows = rows.join(
            bad.rename({"ticker": "benchmark"}), on=["session_date", "benchmark"], how="anti"
        )
    return rows


def _replace(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: pl.DataFrame,
    first: date,
    last: date,
    scope: str = "ticker",
) -> int:
    rows = _gate(
        con, rows.filter(pl.col("session_date").is_between(first, last)), first, last, scope
    )
    bounds = pl.DataFrame({"first_session": [first], "last_session": [last]})
    # Stored in session order, like raw.daily_bars: DuckDB's per-row-group min/max then lets
    # a query on a session (seeds, gates, checks, the named queries) skip the rest of the
    # history; rows in ticker order made every such read a scan of the whole table.
    order = ["session_date", *[c for c in ("universe", "ticker", "benchmark") if c in rows.columns]]
    rows = rows.sort(order)
    con.register("incoming_rows", rows.to_arrow())
    con.register("incoming_range", bounds.to_arrow())
    con.execute(load_sql(f"marts/replace_{table}"))
    con.unregister("incoming_rows")
    con.unregister("incoming_range")
    return rows.height


def sessions_before(first: date, n: int) -> date:
    """The session ``n`` sessions before ``first`` (or the calendar's first session)."""
    back = sessions_between(date(first.year - 2 - n // 252, 1, 1), first)
    return back[max(0, len(back) - 1 - n)]


def _first_bar(con: duckdb.DuckDBPyConnection) -> date | None:
    return con.execute(load_sql("marts/first_bar_session")).fetchall()[0][0]


def _seed_covers(
    con: duckdb.DuckDBPyConnection, table: str, prev: date
) -> tuple[pl.DataFrame, bool]:
    """Stored seed rows of ``prev`` and whether they cover every ticker with a bar there."""
    seed = _query(con, f"marts/seed_{table}", [prev])
    have = set(_query(con, "marts/bars_on_session", [prev])["ticker"].to_list())
    return seed, have <= set(seed["ticker"].to_list())


def _preview(rows: pl.DataFrame, last: date) -> pl.DataFrame:
    return rows.filter(pl.col("session_date") == last)


def build_daily_returns(wh: Warehouse, first: date, last: date) -> MartBuild:
    with wh.transaction() as con:
        bars = _query(con, "marts/read_bars", [sessions_before(first, RETURNS_LOOKBACK), last])
        rows = daily_returns(bars)
        n = _replace(con, "daily_returns", rows, first, last)
    return MartBuild("marts.daily_returns", first, last, n, False, _preview(rows, last))


def build_streaks(wh: Warehouse, first: date, last: date) -> MartBuild:
    with wh.transaction() as con:
        prev = previous_session(first)
        seed, covered = _seed_covers(con, "streaks", prev)
        start = prev if covered else (_first_bar(con) or first)
        bars = _query(con, "marts/read_bars", [start, last])
        rows = streaks(bars, seed=seed if covered else None)
        n = _replace(con, "streaks", rows, first, last)
    return MartBuild("marts.streaks", first, last, n, not covered, _preview(rows, last))


def build_technicals(wh: Warehouse, first: date, last: date) -> MartBuild:
    with wh.transaction() as con:
        prev = previous_session(first)
        start = sessions_before(first, TECHNICALS_LOOKBACK)
        bars = _query(con, "marts/read_bars", [start, last])
        # Wilder's averages continue from each ticker's last stored row in the lookback
        # (on `prev`, or earlier when it had no bar or a withheld row there): that row is
        # inside `bars`, so the recursion from it equals the one from the first bar.
        rsi = _query(con, "marts/seed_technicals_rsi", [start, prev])
        prior = _query(con, "marts/prior_max_close", [start])
        # A ticker with history before the lookback but no stored RSI averages inside it
        # (the mart was never built there, or a gap longer than the lookback) would
        # restart Wilder's averages: recompute from the first bar.
        unseeded = set(prior["ticker"].to_list()) - set(rsi["ticker"].to_list())
        computed = set(bars.filter(pl.col("session_date") >= first)["ticker"].to_list())
        covered = not (unseeded & computed)
        seed = None
        if not covered:
            start = _first_bar(con) or first
            bars = _query(con, "marts/read_bars", [start, last])
        else:
            seed = prior.join(
                rsi.select(
                    "ticker",
                    pl.col("session_date").alias("seed_session"),
                    "rsi_avg_gain_14",
                    "rsi_avg_loss_14",
                ),
                on="ticker",
                how="full",
                coalesce=True,
            )
        rows = technicals(bars, seed=seed)
        n = _replace(con, "technicals", rows, first, last)
    return MartBuild("marts.technicals", first, last, n, not covered, _preview(rows, last))


def build_relative_performance(
    wh: Warehouse, first: date, last: date, universe: UniverseConfig
) -> MartBuild:
    with wh.transaction() as con:
        prev = previous_session(first)
        seed = _query(con, "marts/seed_relative_performance", [prev])
        returns_prev = _query(con, "marts/read_returns", [prev, prev])
        have = {
            (t, b) for t, b in universe.relative_pairs if t in set(returns_prev["ticker"].to_list())
        }
        covered = have <= set(
            zip(seed["ticker"].to_list(), seed["benchmark"].to_list(), strict=True)
        )
        start = prev if covered else (_first_bar(con) or first)
        returns = _query(con, "marts/read_returns", [start, last])
        rows = relative_performance(
            returns, universe.relative_pairs, seed=seed if covered else None
        )
        n = _replace(con, "relative_performance", rows, first, last, scope="pair")
    return MartBuild(
        "marts.relative_performance", first, last, n, not covered, _preview(rows, last)
    )


def build_sector_performance(
    wh: Warehouse, first: date, last: date, universe: UniverseConfig
) -> MartBuild:
    sector_etfs = pl.DataFrame(
        [
            (i.symbol, i.sector)
            for i in universe.instruments.values()
            if i.kind == "etf" and i.sector
        ],
        schema={"ticker": pl.String, "sector": pl.String},
        orient="row",
    )
    with wh.transaction() as con:
        returns = _query(con, "marts/read_returns", [first, last])
        rows = sector_performance(returns, sector_etfs)
        n = _replace(con, "sector_performance", rows, first, last, scope="session")
    return MartBuild("marts.sector_performance", first, last, n, False, _preview(rows, last))


def build_breadth(wh: Warehouse, first: date, last: date, universe: UniverseConfig) -> MartBuild:
    names = [u.name for u in universe.universes.values() if u.breadth]
    with wh.transaction() as con:
        prev = previous_session(first)
        seed = _query(con, "marts/seed_breadth", [prev]).filter(pl.col("universe").is_in(names))
        had_members = _query(con, "marts/read_breadth_inputs", [prev, prev, names])
        covered = set(had_members["universe"].unique().to_list()) <= set(seed["universe"].to_list())
        start = first if covered else (_first_bar(con) or first)
        members = _query(con, "marts/read_breadth_inputs", [start, last, names])
        sizes = {name: len(universe.members(name)) for name in names}
        rows = breadth(members, sizes, seed=seed if covered else None)
        n = _replace(con, "breadth", rows, first, last, scope="session")
    return MartBuild("marts.breadth", first, last, n, not covered, _preview(rows, last))
