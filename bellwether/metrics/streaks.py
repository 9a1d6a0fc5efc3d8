"""Up and down streaks.

:func:`streaks` -> ``marts.streaks``. ``up_streak`` is the number of consecutive sessions,
ending at this one, on which the close was above the previous session's close;
``down_streak`` likewise below. Closes are compared at the instrument's published
precision (``price_decimals``: 2 for indices, 4 otherwise), so an unchanged close at that
precision ends both streaks (both 0). The first session of history, and a session whose
previous session has no bar, have both streaks 0 (there is nothing to compare with).
Streaks continue across partitions from a seed (the stored row of the session before
the first computed one), see :mod:`bellwether.metrics.runs`.
"""

from __future__ import annotations

import polars as pl

from bellwether.metrics.panel import ENGINE, KEY, keyed, lag, per_ticker, session_panel
from bellwether.metrics.runs import run_lengths

#: Bar columns :func:`streaks` reads.
INPUT_COLUMNS = ("ticker", "session_date", "close", "price_decimals")


def close_direction(bars: pl.DataFrame) -> pl.DataFrame:
    """Panel of ``bars`` with ``direction`` = sign(round(close) - round(previous close)).

    ``bars`` needs ``ticker, session_date, close, price_decimals``.
    """
    p = keyed(session_panel(bars.select(INPUT_COLUMNS)))
    return direction_on_panel(p.lazy()).drop(KEY).collect(engine=ENGINE)


def direction_on_panel(p: pl.LazyFrame) -> pl.LazyFrame:
    """:func:`close_direction` on a :func:`~bellwether.metrics.panel.keyed` session panel."""
    scale = pl.lit(10.0).pow(per_ticker(pl.col("price_decimals").forward_fill()))
    cents = (pl.col("close") * scale).round(0)
    prev = lag("_cents", 1)
    direction = (
        pl.when(pl.col("_cents") > prev)
        .then(1)
        .when(pl.col("_cents") < prev)
        .then(-1)
        .when(pl.col("_cents") == prev)
        .then(0)
        .otherwise(None)
        .cast(pl.Int8)
    )
    return (
        p.with_columns(cents.alias("_cents"))
        .with_columns(direction.alias("direction"))
        .drop("_cents")
    )


def streaks(bars: pl.DataFrame, seed: pl.DataFrame | None = None) -> pl.DataFrame:
    """Up/down streaks for every bar in ``bars`` (see module doc).

    ``seed``: stored ``ticker, session_date, up_streak, down_streak`` rows for the session
    before the first one to compute (optional).
    """
    panel = keyed(session_panel(bars.select(INPUT_COLUMNS)))
    return streaks_plan(panel.lazy(), seed).collect(engine=ENGINE)


def streaks_plan(panel: pl.LazyFrame, seed: pl.DataFrame | None = None) -> pl.LazyFrame:
    """:func:`streaks` as a lazy query on a :func:`~bellwether.metrics.panel.keyed` session
    panel."""
    p = direction_on_panel(panel)
    seed_runs = None
    if seed is not None:
        seed_runs = seed.select(
            "ticker",
            "session_date",
            pl.col("up_streak").alias("pos_run"),
            pl.col("down_streak").alias("neg_run"),
        )
    out = run_lengths(
        p, by=["ticker"], order="session_date", direction="direction", seed=seed_runs,
        presorted=True,
    )  # fmt: skip
    return out.filter(pl.col("has_bar")).select(
        "ticker",
        "session_date",
        "close",
        pl.col("pos_run").alias("up_streak"),
        pl.col("neg_run").alias("down_streak"),
        "direction",
    )
