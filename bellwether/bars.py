"""Daily bar frames: the schema every source delivers, and hard row validation.

A *source frame* (:data:`SOURCE_BAR_SCHEMA`) is what a source hands to landing: one row
per ``(ticker, session_date)`` with float prices, float volume (so a fractional or
negative value can be seen and rejected rather than silently truncated) and a
``parse_error`` column where a file reader could not parse a cell (null otherwise).

:func:`validate_bars` splits a source frame into rows that may land and rows that are
rejected, each rejected row with every reason that applies. Nothing is dropped: a row is
either landed or rejected. The rules (hard validation):

* the ticker matches the strict symbol pattern and was requested;
* the date parsed, is an XNYS session, and that session was closed (close + margin) at
  ingest time (no bar for a session that has not finished, no future dates);
* ``open, high, low, close, adj_close`` are finite and strictly positive;
* ``low <= min(open, close)`` and ``max(open, close) <= high`` within a relative tolerance
  of 1e-6 (so float32 noise in a source is not an error), and ``low <= high`` (judged
  only when the four prices are themselves valid, so one bad price gives one reason);
* ``volume`` is a whole number >= 0; it may be null (unpublished, e.g. ``^RUT``) only for
  an index (a Yahoo ``^`` symbol);
* ``(ticker, session_date)`` is unique: exact duplicates keep the first copy and reject
  the others as ``duplicate row``; conflicting copies are all rejected.

The price rules (positive prices, OHLC order, non-negative volume) are one list,
:data:`PRICE_RULES`: :func:`validate_bars` rejects by it at landing and the Great
Expectations suite on ``raw/daily_bars`` (``gx_price_sanity``,
:mod:`checks.gx_suite`) is built from it, so both judge the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from bellwether.calendar import CLOSE_MARGIN, last_closed_session, sessions_between
from bellwether.symbols import SYMBOL_PATTERN

PRICE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "adj_close")
BAR_COLUMNS: tuple[str, ...] = ("ticker", "session_date", *PRICE_COLUMNS, "volume")
#: Relative tolerance for the OHLC ordering rules.
OHLC_REL_TOL = 1e-6

SOURCE_BAR_SCHEMA: dict[str, pl.DataType] = {
    "ticker": pl.String(),
    "session_date": pl.Date(),
    "open": pl.Float64(),
    "high": pl.Float64(),
    "low": pl.Float64(),
    "close": pl.Float64(),
    "adj_close": pl.Float64(),
    "volume": pl.Float64(),
    "parse_error": pl.String(),
}

#: Schema of bars that passed validation (volume as a nullable integer).
BAR_SCHEMA: dict[str, pl.DataType] = {
    **{k: v for k, v in SOURCE_BAR_SCHEMA.items() if k != "parse_error"},
    "volume": pl.Int64(),
}

#: Schema of rejected rows: the source values plus the reasons.
REJECT_SCHEMA: dict[str, pl.DataType] = {
    **{k: v for k, v in SOURCE_BAR_SCHEMA.items() if k != "parse_error"},
    "reason": pl.String(),
}


@dataclass(frozen=True)
class PriceRule:
    """A price rule: ``column`` (a bar column, or a slack column of :func:`with_slacks`) is
    >= 0, or > 0 when ``strict``; a null is allowed when ``nullable`` (a slack is null when
    a price is, so an order rule is judged only on present prices). ``message`` is the
    rejection reason of a row that breaks it."""

    column: str
    message: str
    strict: bool = False
    nullable: bool = True


#: The OHLC order rules as columns that must be >= 0 (``OHLC_REL_TOL`` relative tolerance).
SLACKS: dict[str, pl.Expr] = {
    # low <= min(open, close)
    "low_slack": pl.min_horizontal("open", "close") * (1 + OHLC_REL_TOL) - pl.col("low"),
    # max(open, close) <= high
    "high_slack": pl.col("high") - pl.max_horizontal("open", "close") * (1 - OHLC_REL_TOL),
    # low <= high
    "range_slack": pl.col("high") * (1 + OHLC_REL_TOL) - pl.col("low"),
}

#: Every price rule, in reason order: the one list both validators are built from.
PRICE_RULES: tuple[PriceRule, ...] = (
    *(
        PriceRule(c, f"{c} is not a finite positive number", strict=True, nullable=False)
        for c in PRICE_COLUMNS
    ),
    PriceRule("low_slack", "low above min(open, close)"),
    PriceRule("high_slack", "high below max(open, close)"),
    PriceRule("range_slack", "low above high"),
    PriceRule("volume", "volume is negative or not finite"),
)


def with_slacks(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the :data:`SLACKS` columns added."""
    return frame.with_columns(**SLACKS)


CORPORATE_ACTION_SCHEMA: dict[str, pl.DataType] = {
    "ticker": pl.String(),
    "ex_date": pl.Date(),
    "action": pl.String(),  # 'dividend' (cash per share) or 'split' (new shares per old share)
    "value": pl.Float64(),
}


def empty_source_bars() -> pl.DataFrame:
    """A source frame with no rows."""
    return pl.DataFrame(schema=SOURCE_BAR_SCHEMA)


def empty_actions() -> pl.DataFrame:
    """A corporate-actions frame with no rows."""
    return pl.DataFrame(schema=CORPORATE_ACTION_SCHEMA)


def conform_source_bars(df: pl.DataFrame) -> pl.DataFrame:
    """Select and cast a frame to :data:`SOURCE_BAR_SCHEMA` (adding a null parse_error)."""
    if "parse_error" not in df.columns:
        df = df.with_columns(pl.lit(None, dtype=pl.String).alias("parse_error"))
    return df.select([pl.col(c).cast(t) for c, t in SOURCE_BAR_SCHEMA.items()])


@dataclass(frozen=True)
class ValidatedBars:
    """The two halves of a validated source frame."""

    good: pl.DataFrame  # BAR_SCHEMA
    rejected: pl.DataFrame  # REJECT_SCHEMA


def _reason(cond: pl.Expr, text: str | pl.Expr) -> pl.Expr:
    value = pl.lit(text) if isinstance(text, str) else text
    return pl.when(cond).then(value).otherwise(pl.lit(None, dtype=pl.String))


def validate_bars(
    bars: pl.DataFrame,
    *,
    symbols: Iterable[str],
    now: datetime,
    close_margin=CLOSE_MARGIN,
) -> ValidatedBars:
    """Split ``bars`` (a source frame) into landable and rejected rows. See module doc."""
    bars = conform_source_bars(bars)
    requested = pl.Series("requested", sorted(set(symbols)), dtype=pl.String)
    closed_until: date = last_closed_session(now, close_margin)
    lo = bars["session_date"].min()
    hi = bars["session_date"].max()
    sessions = pl.Series("s", sessions_between(lo, hi) if lo is not None else [], dtype=pl.Date)

    prices_ok = pl.all_horizontal(
        [pl.col(c).is_finite() & (pl.col(c) > 0) for c in ("open", "high", "low", "close")]
    ).fill_null(False)

    def broken(rule: PriceRule) -> pl.Expr:
        if rule.column in SLACKS:  # judged only when the four prices are valid
            return prices_ok & (SLACKS[rule.column] < 0)
        value = pl.col(rule.column)
        bad = ~value.is_finite() | ((value <= 0) if rule.strict else (value < 0))
        return value.is_null() | bad if not rule.nullable else value.is_not_null() & bad

    price_reasons = [_reason(broken(rule), rule.message) for rule in PRICE_RULES]
    key = ["ticker", "session_date"]
    value_cols = [c for c in BAR_COLUMNS if c not in key]
    with_ix = bars.with_row_index("_row")
    # duplicates: copies of one key; identical copies keep the first, conflicting reject all
    dup = with_ix.with_columns(
        pl.len().over(key).alias("_copies"),
        pl.struct(value_cols).n_unique().over(key).alias("_variants"),
        pl.col("_row").min().over(key).alias("_first"),
    )
    reasons = [
        _reason(pl.col("parse_error").is_not_null(), pl.col("parse_error")),
        _reason(
            pl.col("ticker").is_null() | ~pl.col("ticker").str.contains(SYMBOL_PATTERN.pattern),
            "invalid symbol",
        ),
        _reason(
            pl.col("ticker").is_not_null()
            & pl.col("ticker").str.contains(SYMBOL_PATTERN.pattern)
            & ~pl.col("ticker").is_in(requested.implode()),
            "symbol not requested",
        ),
        _reason(pl.col("session_date").is_null(), "missing or unparseable date"),
        _reason(
            pl.col("session_date").is_not_null()
            & ~pl.col("session_date").is_in(sessions.implode()),
            "not an XNYS session",
        ),
        _reason(
            pl.col("session_date") > pl.lit(closed_until),
            f"session not closed at ingest (last closed session {closed_until})",
        ),
        *price_reasons,
        _reason(
            pl.col("volume").is_finite() & (pl.col("volume") != pl.col("volume").floor()),
            "volume is not a whole number",
        ),
        _reason(
            pl.col("volume").is_null() & ~pl.col("ticker").str.starts_with("^").fill_null(False),
            "volume missing (only an index, ^SYMBOL, may have no volume)",
        ),
        _reason(
            (pl.col("_copies") > 1) & (pl.col("_variants") > 1),
            "conflicting duplicate rows for (ticker, session_date)",
        ),
        _reason(
            (pl.col("_copies") > 1)
            & (pl.col("_variants") == 1)
            & (pl.col("_row") != pl.col("_first")),
            "duplicate row",
        ),
    ]
    judged = dup.with_columns(
        pl.concat_list(reasons).list.drop_nulls().list.join("; ").alias("reason")
    ).with_columns(
        pl.when(pl.col("reason") == "").then(None).otherwise(pl.col("reason")).alias("reason")
    )
    good = (
        judged.filter(pl.col("reason").is_null())
        .select(BAR_COLUMNS)
        .with_columns(pl.col("volume").cast(pl.Int64))
        .sort(["session_date", "ticker"])
    )
    rejected = (
        judged.filter(pl.col("reason").is_not_null()).sort("_row").select(list(REJECT_SCHEMA))
    )
    return ValidatedBars(good=good, rejected=rejected)
