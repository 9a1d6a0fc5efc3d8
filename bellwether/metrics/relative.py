"""Relative performance of a ticker against a benchmark.

:func:`relative_performance` -> ``marts.relative_performance`` for configured
``(ticker, benchmark)`` pairs, on every session where the ticker has a bar:

* ``excess_ret_1d = ret_1d - benchmark ret_1d`` (fractions; null if either is null);
* ``price_ratio = close / benchmark close`` (the relative-strength line);
* an *outperformance session* is one whose ``ret_1d`` exceeds the benchmark's;
  ``outperf_streak`` counts consecutive outperformance sessions ending today,
  ``underperf_streak`` consecutive underperformance sessions. Equal returns, a missing
  return on either side, or a missing benchmark bar end both runs (both 0);
* ``excess_ret_ytd = ret_ytd - benchmark ret_ytd``.

Runs continue across partitions from a seed (stored rows of the session before the first
computed one), see :mod:`bellwether.metrics.runs`.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from bellwether.metrics.runs import run_lengths

OUTPUT_COLUMNS = (
    "ticker", "benchmark", "session_date", "excess_ret_1d", "price_ratio", "outperf_streak",
    "underperf_streak", "excess_ret_ytd", "ret_1d", "benchmark_ret_1d", "ret_ytd", "benchmark_ret_ytd",
)  # fmt: skip


def relative_performance(
    returns: pl.DataFrame,
    pairs: Iterable[tuple[str, str]],
    seed: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Pairwise relative performance from ``daily_returns`` output (see module doc).

    ``seed``: stored ``ticker, benchmark, session_date, outperf_streak, underperf_streak``.
    """
    pair_frame = pl.DataFrame(
        list(pairs), schema={"ticker": pl.String, "benchmark": pl.String}, orient="row"
    )
    # only the pairs' legs: the joins below then hash a few tickers' rows, not every bar
    wanted = pl.concat([pair_frame["ticker"], pair_frame["benchmark"]]).unique()
    legs = returns.select("ticker", "session_date", "close", "ret_1d", "ret_ytd").filter(
        pl.col("ticker").is_in(wanted.implode())
    )
    bench = legs.rename(
        {
            "ticker": "benchmark",
            "close": "_b_close",
            "ret_1d": "benchmark_ret_1d",
            "ret_ytd": "benchmark_ret_ytd",
        }
    )
    joined = (
        pair_frame.join(legs, on="ticker", how="inner")
        .join(bench, on=["benchmark", "session_date"], how="left")
        .with_columns(
            (pl.col("ret_1d") - pl.col("benchmark_ret_1d")).alias("excess_ret_1d"),
            (pl.col("close") / pl.col("_b_close")).alias("price_ratio"),
            (pl.col("ret_ytd") - pl.col("benchmark_ret_ytd")).alias("excess_ret_ytd"),
        )
        .with_columns(pl.col("excess_ret_1d").sign().cast(pl.Int8).alias("_direction"))
    )
    seed_runs = None
    if seed is not None:
        seed_runs = seed.select(
            "ticker", "benchmark", "session_date", "outperf_streak", "underperf_streak"
        )
    out = run_lengths(
        joined, by=["ticker", "benchmark"], order="session_date", direction="_direction", seed=seed_runs,
        pos_name="outperf_streak", neg_name="underperf_streak",
    )  # fmt: skip
    return out.select(OUTPUT_COLUMNS).sort("ticker", "benchmark", "session_date")
