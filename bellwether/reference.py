"""Reference tables for SQL users: the instrument universe and the session calendar.

``raw.instruments`` / ``raw.universe_members`` mirror ``config/universe.yaml`` and
``raw.trading_sessions`` holds every XNYS session with its open and close. They are
refreshed (replaced in one transaction) with every landing, so a query can always join
bars to the universe they were landed for.
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from bellwether.calendar import FIRST_SESSION, half_days, xnys
from bellwether.sqlfiles import load_sql
from bellwether.universe import UniverseConfig
from bellwether.warehouse import Warehouse


def trading_sessions_frame() -> pl.DataFrame:
    """Every XNYS session from 1990 to the calendar's end, with open/close in UTC."""
    cal = xnys()
    sched = cal.schedule
    frame = pl.DataFrame(
        {
            "session_date": [ts.date() for ts in sched.index],
            "open_at": sched["open"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(),
            "close_at": sched["close"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(),
        }
    ).with_columns(
        pl.col("open_at").dt.replace_time_zone("UTC"),
        pl.col("close_at").dt.replace_time_zone("UTC"),
    )
    early = set(half_days(FIRST_SESSION, cal.last_session.date()))
    return frame.with_columns(pl.col("session_date").is_in(list(early)).alias("is_half_day"))


def _diff_keys(old: pl.DataFrame, new: pl.DataFrame, key: str) -> set[str]:
    """Values of ``key`` whose rows differ between ``old`` and ``new``."""
    new = new.select(old.columns).cast(dict(old.schema))
    return set(old.join(new, on=old.columns, how="anti", nulls_equal=True)[key].to_list()) | set(
        new.join(old, on=old.columns, how="anti", nulls_equal=True)[key].to_list()
    )


def refresh_reference_tables(
    warehouse: Warehouse, universe: UniverseConfig, now: datetime | None = None
) -> None:
    """Replace the instrument, universe, pair and session tables in one transaction.

    A change of the universe is a change of the marts' inputs (the any-order rule,
    :mod:`bellwether.invalidation`): an instrument whose attributes changed (kind, sector,
    price precision) rebuilds its rows of every mart; a changed membership of a breadth
    universe rebuilds breadth; a new or changed relative pair rebuilds its rows. All from
    the first stored session (their rows may depend on every session)."""
    from bellwether.calendar import FIRST_SESSION
    from bellwether.invalidation import enqueue
    from bellwether.registry import MARTS

    now = now or datetime.now(UTC)
    instruments = universe.instruments_frame()
    members = universe.universe_members_frame()
    pairs = pl.DataFrame(
        list(universe.relative_pairs),
        schema={"ticker": pl.String, "benchmark": pl.String},
        orient="row",
    )
    with warehouse.transaction() as con:
        old_instruments = con.sql(load_sql("landing/read_instruments")).pl()
        old_members = con.sql(load_sql("landing/read_universe_members")).pl()
        old_pairs = con.sql(load_sql("landing/read_relative_pairs")).pl()
        con.register("incoming_instruments", instruments.to_arrow())
        con.register("incoming_members", members.to_arrow())
        con.register("incoming_pairs", pairs.to_arrow())
        con.register("incoming_sessions", trading_sessions_frame().to_arrow())
        con.execute(load_sql("landing/replace_instruments"))
        con.execute(load_sql("landing/replace_trading_sessions"))
        if old_instruments.is_empty():  # a new warehouse: nothing was built on another universe
            return
        last = FIRST_SESSION  # "from the first session": the builds start at the first bar
        for ticker in sorted(_diff_keys(old_instruments, instruments, "ticker")):
            enqueue(con, list(MARTS), ticker, FIRST_SESSION, last, "universe changed", now)
        breadth_universes = {u.name for u in universe.universes.values() if u.breadth}
        changed = _diff_keys(old_members, members, "universe")
        if changed & breadth_universes:
            enqueue(con, ["breadth"], None, FIRST_SESSION, last, "universe changed", now)
        for ticker in sorted(_diff_keys(old_pairs, pairs, "ticker")):
            enqueue(
                con, ["relative_performance"], ticker, FIRST_SESSION, last, "universe changed", now
            )
