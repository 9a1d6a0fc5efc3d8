"""Bringing stored bars onto the basis of every known corporate action (pure polars).

A source such as Yahoo delivers OHLC and volume split-adjusted, and ``adj_close``
dividend-and-split adjusted, *as of its snapshot*: a bar's values reflect every action of
its ticker with an ex-date up to the snapshot's session (``basis_session``), and none
after. A warehouse fed one session a day therefore holds each session on the basis of the
day it was landed. Bellwether keeps every stored bar on the basis of *every effective
action it knows* (what a fresh download would give), whatever order bars and actions
arrived in, by applying Yahoo's own conventions to the delivered values:

* a bar's **as-of** is ``max(session_date, basis_session)``: actions with an ex-date after it
  are not in its delivered values; actions on or before it are;
* **splits** (``value`` = new shares per old share; 0.1 for a 1:10 reverse split):
  ``S(t)`` = product of the ratios of the ticker's splits with ex-date ``> t``; the stored
  prices are ``delivered / S(as_of)`` and the stored volume ``round(delivered * S(as_of))``,
  always from the delivered volume (kept as ``delivered_volume`` where ``S(as_of) != 1``):
  a reverse split rounds a volume, so a later split applied to the stored volume would
  compound that rounding where a fresh download does not;
* **dividends** (cash per share): the factor of a dividend with ex-date ``D`` is
  ``1 - dividend / close[D-1]``, with ``close[D-1]`` the ticker's last close before ``D``
  and the dividend on the same (final) split basis (a dividend delivered on basis ``b`` is
  divided by ``S(b)``); ``Dv(t)`` = product of the factors of dividends with ex-date ``> t``;
  the stored ``adj_close`` is ``delivered_adj / S(as_of) * Dv(as_of)``;
* an action is **effective** once its ticker has a stored bar on or after its ex-date (an
  action announced for a session not yet landed changes nothing until that session lands).

Each stored bar keeps the factors applied since delivery (``split_factor = S(as_of)``,
``dividend_factor = Dv(as_of)``) and, where its volume is not the delivered one, the
delivered volume, so its delivered values are always recoverable and an action that is
revised or withdrawn by the source is taken back exactly. Every function
here is pure: ``DataFrame -> DataFrame``.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

#: Columns of a stored bar that :func:`rebase` reads and rewrites.
BAR_VALUE_COLUMNS = ("open", "high", "low", "close", "adj_close", "volume")
PRICE_COLUMNS = ("open", "high", "low", "close")


def _suffix_products(actions: pl.DataFrame, value: str) -> pl.DataFrame:
    """Per ticker, actions sorted by ex-date with ``_suffix`` = product of ``value`` over
    this action and every later one (the factor for a bar just before this ex-date)."""
    return (
        actions.sort("ticker", "ex_date")
        .with_columns(
            pl.col(value).cum_prod(reverse=True).over("ticker").alias("_suffix"),
        )
        .select("ticker", "ex_date", "_suffix")
    )


def _product_after(frame: pl.DataFrame, at: str, suffixes: pl.DataFrame, name: str) -> pl.DataFrame:
    """Add ``name`` = product of the action factors with ex-date strictly after ``frame[at]``
    (1.0 when there is none), per ticker."""
    if suffixes.is_empty():
        return frame.with_columns(pl.lit(1.0).alias(name))
    left = frame.with_columns((pl.col(at) + timedelta(days=1)).alias("_after")).sort("_after")
    joined = left.join_asof(
        suffixes.rename({"ex_date": "_ex"}).sort("_ex"),
        left_on="_after",
        right_on="_ex",
        by="ticker",
        strategy="forward",
        check_sortedness=False,  # sorted by the key; polars cannot verify it within groups
    )
    return joined.with_columns(pl.col("_suffix").fill_null(1.0).alias(name)).drop(
        "_after", "_ex", "_suffix", strict=False
    )


def effective_actions(actions: pl.DataFrame, last_sessions: pl.DataFrame) -> pl.DataFrame:
    """Actions whose ex-date is on or before their ticker's last stored session.

    ``last_sessions``: ``ticker, last_session``."""
    return (
        actions.join(last_sessions, on="ticker", how="inner")
        .filter(pl.col("ex_date") <= pl.col("last_session"))
        .drop("last_session")
    )


def _with_split_target(bars: pl.DataFrame, splits: pl.DataFrame) -> pl.DataFrame:
    """``bars`` with ``_as_of`` and ``target_split`` = ``S(as_of)``."""
    as_of = pl.max_horizontal(
        "session_date", pl.col("basis_session").fill_null(pl.col("session_date"))
    )
    frame = bars.with_columns(as_of.alias("_as_of"))
    return _product_after(frame, "_as_of", _suffix_products(splits, "value"), "target_split")


def _dividend_factors(frame: pl.DataFrame, actions: pl.DataFrame) -> pl.DataFrame:
    """``ticker, ex_date, factor`` of every dividend in ``actions``; ``frame`` is the output
    of :func:`_with_split_target` (the closes before each ex-date are read from it)."""
    splits = actions.filter(pl.col("action") == "split")
    # the final split basis: delivered close / S(as_of) = stored close * split_factor / S(as_of)
    final_close = frame.select(
        "ticker",
        "session_date",
        (pl.col("close") * pl.col("split_factor") / pl.col("target_split")).alias("_final_close"),
    ).sort("session_date")
    div = actions.filter(pl.col("action") == "dividend").with_columns(
        pl.col("basis_session").fill_null(pl.col("ex_date")).alias("_div_basis"),
        (pl.col("ex_date") - timedelta(days=1)).alias("_before"),
    )
    div = _product_after(div, "_div_basis", _suffix_products(splits, "value"), "_div_split")
    div = div.sort("_before").join_asof(
        final_close.rename({"session_date": "_prev_session"}),
        left_on="_before",
        right_on="_prev_session",
        by="ticker",
        strategy="backward",
        check_sortedness=False,
    )
    factor = 1.0 - (pl.col("value") / pl.col("_div_split")) / pl.col("_final_close")
    return div.with_columns(factor.alias("factor")).select("ticker", "ex_date", "factor")


def dividend_factors(bars: pl.DataFrame, actions: pl.DataFrame) -> pl.DataFrame:
    """Each dividend's factor ``1 - dividend / close[D-1]`` on the final split basis;
    null where no close before the ex-date is stored (nothing before it to adjust).

    ``bars``: ``ticker, session_date, basis_session, close, split_factor``; ``actions``:
    ``ticker, ex_date, action, value, basis_session``."""
    frame = _with_split_target(bars, actions.filter(pl.col("action") == "split"))
    return _dividend_factors(frame, actions)


def appended_dividend_scale(
    bars: pl.DataFrame, actions: pl.DataFrame, dividends: pl.DataFrame
) -> pl.DataFrame:
    """``ticker, scale``: per ticker of ``dividends``, the factor by which every stored
    ``adj_close`` (and ``dividend_factor``) of the ticker moves when ``dividends`` take
    effect, **provided every stored bar's as-of is before each of them** (they go ex after
    the ticker's whole stored history, as a dividend does on the session a daily run lands):
    ``Dv`` of each such bar gains exactly their factors, so ``scale`` = the product of
    ``1 - dividend / close[D-1]`` over them (:func:`dividend_factors`).

    ``bars``: at least each ticker's last stored bar and the bars after it (the closes the
    factors read), with ``ticker, session_date, basis_session, close, split_factor``;
    ``actions``: the tickers' effective actions (``ticker, ex_date, action, value,
    basis_session``); ``dividends``: ``ticker, ex_date`` of the dividends taking effect.
    A dividend without a close before it (nothing stored before it) moves nothing: a ticker
    with only such dividends gets no row."""
    factors = (
        dividend_factors(bars, actions)
        .join(dividends.select("ticker", "ex_date"), on=["ticker", "ex_date"], how="semi")
        .drop_nulls("factor")
        .sort("ticker", "ex_date")
    )
    return factors.group_by("ticker", maintain_order=True).agg(
        pl.col("factor").product().alias("scale")
    )


def target_factors(bars: pl.DataFrame, actions: pl.DataFrame) -> pl.DataFrame:
    """``bars`` with the factors each should carry given ``actions`` (effective ones):
    ``target_split`` = ``S(as_of)`` and ``target_dividend`` = ``Dv(as_of)`` (module doc).

    ``bars``: ``ticker, session_date, basis_session, close, split_factor`` (the stored close
    and the split factor already applied to it); ``actions``: ``ticker, ex_date, action,
    value, basis_session``."""
    frame = _with_split_target(bars, actions.filter(pl.col("action") == "split"))
    if actions.filter(pl.col("action") == "dividend").is_empty():
        return frame.with_columns(pl.lit(1.0).alias("target_dividend"))
    factors = _dividend_factors(frame, actions).with_columns(pl.col("factor").fill_null(1.0))
    return _product_after(frame, "_as_of", _suffix_products(factors, "factor"), "target_dividend")


def _delivered_volume() -> pl.Expr:
    """A bar's volume as delivered: ``delivered_volume`` where kept, else the stored volume
    when ``split_factor`` is 1, else ``round(volume / split_factor)`` (a bar re-based before
    ``delivered_volume`` was kept: exact unless a reverse split rounded it)."""
    stored = (
        pl.when(pl.col("split_factor") == 1.0)
        .then(pl.col("volume"))
        .otherwise((pl.col("volume").cast(pl.Float64) / pl.col("split_factor")).round(0))
        .cast(pl.Int64)
    )
    return pl.coalesce(pl.col("delivered_volume").cast(pl.Int64), stored)


def rebase(bars: pl.DataFrame, actions: pl.DataFrame) -> pl.DataFrame:
    """``bars`` (stored rows with ``split_factor``, ``dividend_factor``, ``basis_session``
    and ``delivered_volume``) brought onto the basis of ``actions`` (the effective actions
    of their tickers).

    A re-based volume is ``round(delivered * S(as_of))`` from the delivered volume, never
    the stored (rounded) one re-scaled; ``delivered_volume`` is kept where the new
    ``split_factor`` is not 1 and NULL where it is (the stored volume is then the delivered
    one).

    Returns every input row with its new values and factors and ``factors_changed``: True
    where the bar's factors differ from the ones it had (only those rows are rewritten;
    the others keep their exact stored values)."""
    if bars.is_empty():
        return bars.with_columns(pl.lit(False).alias("factors_changed"))
    t = target_factors(bars, actions)
    split_changed = pl.col("target_split") != pl.col("split_factor")
    div_changed = pl.col("target_dividend") != pl.col("dividend_factor")
    # prices: delivered = stored * old split; new = delivered / new split
    price_scale = pl.col("split_factor") / pl.col("target_split")
    adj_scale = price_scale * pl.col("target_dividend") / pl.col("dividend_factor")
    changed = split_changed | div_changed
    delivered = _delivered_volume()
    out = t.with_columns(
        *[
            pl.when(split_changed).then(pl.col(c) * price_scale).otherwise(pl.col(c)).alias(c)
            for c in PRICE_COLUMNS
        ],
        pl.when(changed)
        .then(pl.col("adj_close") * adj_scale)
        .otherwise(pl.col("adj_close"))
        .alias("adj_close"),
        pl.when(split_changed)
        .then((delivered.cast(pl.Float64) * pl.col("target_split")).round(0).cast(pl.Int64))
        .otherwise(pl.col("volume"))
        .alias("volume"),
        pl.when(~split_changed)
        .then(pl.col("delivered_volume").cast(pl.Int64))
        .when(pl.col("target_split") != 1.0)
        .then(delivered)
        .alias("delivered_volume"),
        split_changed.alias("split_changed"),
        div_changed.alias("dividend_changed"),
        changed.alias("factors_changed"),
        pl.col("target_split").alias("split_factor"),
        pl.col("target_dividend").alias("dividend_factor"),
    )
    return out.drop("target_split", "target_dividend", "_as_of")
