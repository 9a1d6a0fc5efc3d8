"""Market breadth over a named universe.

:func:`breadth` -> ``marts.breadth``, one row per (universe, session), from the members'
per-session direction (:func:`bellwether.metrics.streaks.close_direction`) and technicals:

* a session is computed only when at least ``min_coverage`` (95%) of the universe's
  members have a row on it (the completeness check fails above 5% missing); thinner
  sessions get no row, and the A/D line starts at the first covered session (sessions
  outside a universe's active window never reach this function);
* ``members``: universe members with streak and technicals rows on the session (bars that
  passed the quality gate); ``universe_size``: members configured;
  ``members_compared``: those whose previous session also has a bar;
* ``advancers`` / ``decliners`` / ``unchanged``: members whose close (at published
  precision) is above / below / equal to the previous session's close, so
  ``advancers + decliners + unchanged = members_compared``;
* ``net_advances = advancers - decliners``; ``ad_line``: cumulative ``net_advances`` over the
  stored history (starting with the first stored session's value);
* ``mcclellan_osc = EMA19(net_advances) - EMA39(net_advances)`` with ``alpha`` 0.10 and 0.05,
  each EMA starting at the first stored session's ``net_advances``
  (``ema = prev + alpha * (x - prev)``); the EMAs are stored (``net_adv_ema_19/39``) so a
  later run continues them exactly;
* ``pct_above_sma_N``: percent (0-100) of members with a defined ``sma_N`` whose close is
  above it by more than one part in a billion of it (N = 20, 50, 200; a close equal to its
  average is not above it: :func:`bellwether.metrics.technicals.is_above_average`); null
  unless at least ``min_coverage`` (95%) of the session's
  members have a defined ``sma_N`` (a share over a few long-history members would not
  describe the universe);
* ``new_highs_52w`` / ``new_lows_52w``: members whose high (low) today is their 52-week
  high (low); null unless at least 95% of the members have a 52-week range
  (``members_with_52w``: members with a defined 52-week range).

``seed``: stored ``universe, session_date, ad_line, net_adv_ema_19, net_adv_ema_39`` of the
session before the first one to compute.
"""

from __future__ import annotations

import polars as pl

from bellwether.metrics.technicals import is_above_average

MIN_COVERAGE = 0.95

OUTPUT_COLUMNS = (
    "universe", "session_date", "members", "universe_size", "advancers", "decliners", "unchanged", "ad_line",
    "mcclellan_osc", "pct_above_sma_20", "pct_above_sma_50", "pct_above_sma_200", "new_highs_52w",
    "new_lows_52w", "members_compared", "net_advances", "members_with_52w", "net_adv_ema_19", "net_adv_ema_39",
)  # fmt: skip


def _has_sma(n: int) -> pl.Expr:
    return pl.col(f"sma_{n}").is_not_null()


def _above_sma(n: int) -> pl.Expr:
    """A member counts as above its N-day average when its close is above it by more than
    :data:`~bellwether.metrics.technicals.ABOVE_AVERAGE_REL_TOL` of it
    (:func:`~bellwether.metrics.technicals.is_above_average`): a close equal to its average
    is not above it, however the average rounded."""
    return is_above_average(pl.col("close"), pl.col(f"sma_{n}")).fill_null(False) & _has_sma(n)


#: The columns of each input mart's rows :func:`member_signature` reads, besides
#: ``ticker, session_date`` (a rebuild reads only these of the rows it replaces when it can
#: tell they changed without the rest: ``bellwether.marts._stored_changes``).
SIGNATURE_COLUMNS: dict[str, tuple[str, ...]] = {
    "streaks": ("direction",),
    "technicals": (
        "close", "sma_20", "sma_50", "sma_200", "high_52w", "is_new_high_52w", "is_new_low_52w",
    ),
}  # fmt: skip


def member_signature(mart: str, rows: pl.DataFrame) -> pl.DataFrame:
    """What :func:`breadth` reads of a member's row of ``marts.<mart>`` (``streaks`` or
    ``technicals``): ``ticker, session_date`` and the row's part in the counts, that is
    ``direction`` of a streaks row, and of a technicals row whether each ``sma_N`` is
    defined and the close above it, whether a 52-week range is defined, and the new
    high/low flags. Two rows with equal signatures count the same in every breadth figure
    (levels do not: a split that scales a stock's closes and averages leaves them).
    Another mart's rows have no part in breadth (an empty frame)."""
    key = ["ticker", "session_date"]
    if mart == "streaks":
        return rows.select(*key, "direction")
    if mart == "technicals":
        return rows.select(
            *key,
            *[_has_sma(n).alias(f"has_sma_{n}") for n in (20, 50, 200)],
            *[_above_sma(n).alias(f"above_sma_{n}") for n in (20, 50, 200)],
            pl.col("high_52w").is_not_null().alias("has_52w"),
            pl.col("is_new_high_52w").fill_null(False),
            pl.col("is_new_low_52w").fill_null(False),
        )
    return rows.select(key).clear()


def _pct_above(n: int) -> list[pl.Expr]:
    has = _has_sma(n)
    above = _above_sma(n)
    return [
        pl.when(has.sum() > 0)
        .then(100.0 * above.sum() / has.sum())
        .otherwise(None)
        .alias(f"pct_above_sma_{n}"),
        has.sum().cast(pl.Int32).alias(f"_with_sma_{n}"),
    ]


def _ema(x: str, alpha: float, seed_col: str) -> pl.Expr:
    """EMA of ``x`` over the universe's sessions; the first row starts at the seed if any."""
    first = pl.int_range(pl.len()).over("universe", order_by="session_date") == 0
    start = pl.when(first & pl.col(seed_col).is_not_null()).then(pl.col(seed_col)).otherwise(None)
    # a seeded first row is (seed_prev -> today's x): ema = seed + alpha * (x - seed)
    seeded = start + alpha * (pl.col(x) - start)
    series = pl.when(first & pl.col(seed_col).is_not_null()).then(seeded).otherwise(pl.col(x))
    return series.ewm_mean(alpha=alpha, adjust=False).over("universe", order_by="session_date")


#: The columns of a breadth row that depend on its session's members only (not on earlier
#: sessions): what :func:`breadth_counts` gives and :func:`breadth_series` continues.
COUNT_COLUMNS = (
    "universe", "session_date", "members", "universe_size", "advancers", "decliners", "unchanged",
    "pct_above_sma_20", "pct_above_sma_50", "pct_above_sma_200", "new_highs_52w", "new_lows_52w",
    "members_compared", "members_with_52w",
)  # fmt: skip


def breadth(
    members: pl.DataFrame,
    universe_sizes: dict[str, int],
    seed: pl.DataFrame | None = None,
    min_coverage: float = MIN_COVERAGE,
) -> pl.DataFrame:
    """Breadth per universe and session: :func:`breadth_series` of :func:`breadth_counts`.

    ``members``: one row per (universe, ticker, session) with ``direction`` (+1/-1/0/null),
    ``close``, ``sma_20``, ``sma_50``, ``sma_200``, ``is_new_high_52w``, ``is_new_low_52w``,
    ``high_52w``.
    ``universe_sizes``: configured member count per universe.
    ``seed``: ``universe, ad_line, net_adv_ema_19, net_adv_ema_39`` for the session before
    the first session in ``members`` (optional).
    """
    return breadth_series(breadth_counts(members, universe_sizes, min_coverage), seed)


def breadth_counts(
    members: pl.DataFrame, universe_sizes: dict[str, int], min_coverage: float = MIN_COVERAGE
) -> pl.DataFrame:
    """The :data:`COUNT_COLUMNS` of each (universe, session) with enough members (module
    doc): everything of a breadth row that its own session's members decide."""
    sizes = pl.DataFrame(
        {"universe": list(universe_sizes), "universe_size": list(universe_sizes.values())},
        schema={"universe": pl.String, "universe_size": pl.Int32},
    )
    daily = members.group_by("universe", "session_date").agg(
        pl.len().cast(pl.Int32).alias("members"),
        (pl.col("direction") == 1).sum().cast(pl.Int32).alias("advancers"),
        (pl.col("direction") == -1).sum().cast(pl.Int32).alias("decliners"),
        (pl.col("direction") == 0).sum().cast(pl.Int32).alias("unchanged"),
        pl.col("direction").is_not_null().sum().cast(pl.Int32).alias("members_compared"),
        *_pct_above(20), *_pct_above(50), *_pct_above(200),
        pl.col("is_new_high_52w").fill_null(False).sum().cast(pl.Int32).alias("new_highs_52w"),
        pl.col("is_new_low_52w").fill_null(False).sum().cast(pl.Int32).alias("new_lows_52w"),
        pl.col("high_52w").is_not_null().sum().cast(pl.Int32).alias("members_with_52w"),
    )  # fmt: skip
    daily = (
        daily.join(sizes, on="universe", how="inner")
        .filter(pl.col("members") >= min_coverage * pl.col("universe_size"))
        .with_columns(
            # a figure over too few members would misrepresent the universe: null instead
            *[
                pl.when(pl.col(f"_with_sma_{n}") >= min_coverage * pl.col("members"))
                .then(pl.col(f"pct_above_sma_{n}"))
                .alias(f"pct_above_sma_{n}")
                for n in (20, 50, 200)
            ],
            *[
                pl.when(pl.col("members_with_52w") >= min_coverage * pl.col("members"))
                .then(pl.col(c))
                .alias(c)
                for c in ("new_highs_52w", "new_lows_52w")
            ],
        )
    )
    return daily.select(COUNT_COLUMNS)


def breadth_series(counts: pl.DataFrame, seed: pl.DataFrame | None = None) -> pl.DataFrame:
    """Breadth rows from per-session :data:`COUNT_COLUMNS` (computed, or stored rows whose
    members did not change): ``net_advances``, the A/D line and the McClellan EMAs carried
    over the universe's sessions in order, from ``seed`` (the stored row of the session
    before the first one) when given."""
    daily = counts.select(COUNT_COLUMNS)
    if seed is None:
        seed = pl.DataFrame(
            schema={
                "universe": pl.String,
                "ad_line": pl.Int64,
                "net_adv_ema_19": pl.Float64,
                "net_adv_ema_39": pl.Float64,
            }
        )
    seed = seed.select(
        "universe",
        pl.col("ad_line").alias("_seed_ad"),
        pl.col("net_adv_ema_19").alias("_seed_19"),
        pl.col("net_adv_ema_39").alias("_seed_39"),
    )
    out = (
        daily.join(seed, on="universe", how="left")
        .with_columns(
            (pl.col("advancers") - pl.col("decliners")).cast(pl.Int64).alias("net_advances")
        )
        .with_columns(
            (
                pl.col("net_advances").cum_sum().over("universe", order_by="session_date")
                + pl.col("_seed_ad").fill_null(0)
            ).alias("ad_line"),
            _ema("net_advances", 0.10, "_seed_19").alias("net_adv_ema_19"),
            _ema("net_advances", 0.05, "_seed_39").alias("net_adv_ema_39"),
        )
        .with_columns((pl.col("net_adv_ema_19") - pl.col("net_adv_ema_39")).alias("mcclellan_osc"))
    )
    return out.select(OUTPUT_COLUMNS).sort("universe", "session_date")
