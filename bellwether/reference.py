"""Reference tables for SQL users: the instrument universe and the session calendar.

``raw.instruments`` / ``raw.universe_members`` mirror ``config/universe.yaml`` and
``raw.trading_sessions`` holds every XNYS session with its open and close. They are
refreshed (replaced in one transaction) with every landing, so a query can always join
bars to the universe they were landed for.
"""

from __future__ import annotations

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


def refresh_reference_tables(warehouse: Warehouse, universe: UniverseConfig) -> None:
    """Replace the instrument, universe and session tables in one transaction."""
    with warehouse.transaction() as con:
        con.register("incoming_instruments", universe.instruments_frame().to_arrow())
        con.register("incoming_members", universe.universe_members_frame().to_arrow())
        con.register("incoming_sessions", trading_sessions_frame().to_arrow())
        con.execute(load_sql("landing/replace_instruments"))
        con.execute(load_sql("landing/replace_trading_sessions"))
