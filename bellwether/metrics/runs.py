"""Run lengths of a direction series, continued from a stored seed.

Shared by streaks (close vs previous close) and relative-performance runs (return vs a
benchmark's). ``direction`` is +1, -1 or 0 (0 and null end every run). For each row the
output is the length of the run of equal non-zero directions ending at that row, as
``pos_run`` (for +1) and ``neg_run`` (for -1); the other is 0.

A *seed* carries a run across partitions and runs: if the first row of a group in the frame
is the seed's session, its stored ``pos_run``/``neg_run`` replace the values computed there
(the frame cannot see further back) and the run continues from them. So a daily run
extends yesterday's streak, and any sub-range backfill equals a full recompute as long as
the seed row itself was right.
"""

from __future__ import annotations

from typing import TypeVar

import polars as pl
import polars.selectors as cs

F = TypeVar("F", pl.DataFrame, pl.LazyFrame)


def run_lengths(
    frame: F,
    *,
    by: list[str],
    order: str,
    direction: str,
    seed: pl.DataFrame | None = None,
    pos_name: str = "pos_run",
    neg_name: str = "neg_run",
    presorted: bool = False,
) -> F:
    """Add ``pos_name``/``neg_name`` run lengths to ``frame`` (a DataFrame, or a LazyFrame
    giving a LazyFrame; see module doc).

    ``seed`` has the ``by`` columns, ``order`` and ``pos_name``/``neg_name``; a seed applies
    to a group only when its ``order`` value equals the group's first row in ``frame``.
    ``presorted``: ``frame`` is already sorted by ``by`` then ``order`` (not sorted again).
    """
    d = pl.col(direction).fill_null(0).cast(pl.Int8)
    df = frame if presorted else frame.sort([*by, order])
    df = df.with_columns(d.alias("_dir"))
    if seed is not None and seed.height:
        s = seed.select(
            *by, order, pl.col(pos_name).alias("_seed_pos"), pl.col(neg_name).alias("_seed_neg")
        )
        first = pl.col(order) == pl.col(order).min().over(by)
        if isinstance(df, pl.LazyFrame):
            s = s.lazy()
        df = df.join(s, on=[*by, order], how="left", maintain_order="left").with_columns(
            pl.when(first & (pl.col("_seed_pos") > 0)).then(1)
            .when(first & (pl.col("_seed_neg") > 0)).then(-1)
            .when(first & pl.col("_seed_pos").is_not_null()).then(0)
            .otherwise(pl.col("_dir")).cast(pl.Int8).alias("_dir"),
            pl.when(first).then(pl.max_horizontal("_seed_pos", "_seed_neg")).otherwise(None).alias("_seed_len"),
        )  # fmt: skip
    else:
        df = df.with_columns(pl.lit(None, dtype=pl.Int64).alias("_seed_len"))
    # a run starts at a group's first row and wherever the direction changes; the frame is
    # sorted by group, so forward fills from run starts never cross groups (no window over
    # (group, run): that grouping has as many groups as runs and was the slow part)
    new_group = pl.any_horizontal([pl.col(c) != pl.col(c).shift(1) for c in by]).fill_null(True)
    starts = (new_group | (pl.col("_dir") != pl.col("_dir").shift(1))).fill_null(True)
    df = df.with_columns(starts.alias("_starts"))
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    run_start = pl.when(pl.col("_starts")).then(row).forward_fill()
    # position within the run, plus the seed's length carried by the run's first row
    carried = pl.when(pl.col("_starts")).then(pl.col("_seed_len").fill_null(1)).forward_fill()
    length = row - run_start + 1 + (carried - 1).clip(lower_bound=0)
    df = df.with_columns(
        pl.when(pl.col("_dir") > 0).then(length).otherwise(0).cast(pl.Int32).alias(pos_name),
        pl.when(pl.col("_dir") < 0).then(length).otherwise(0).cast(pl.Int32).alias(neg_name),
    )
    return df.drop(cs.starts_with("_"))
