"""The one place each mart is declared.

A :class:`MartSpec` says what a mart is: its table and key, its scope (per ticker, per
pair, or whole sessions), the assets it reads, the raw bar columns its values depend on
(directly or through the marts it reads), the state it carries from earlier sessions and
where that state is read from (its seed), its builder, its checks and the reference SQL
that re-derives it. The Dagster assets, the bare pipeline, the quality registry, the
reference engine and the any-order rule (:mod:`bellwether.invalidation`) all read
:data:`MARTS`; adding a mart is one entry here plus its pure function and builder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl

from bellwether import marts
from bellwether.metrics.breadth import SIGNATURE_COLUMNS as BREADTH_SIGNATURE_COLUMNS
from bellwether.metrics.breadth import member_signature as breadth_member_signature
from bellwether.metrics.sectors import SIGNATURE_COLUMNS as SECTOR_SIGNATURE_COLUMNS
from bellwether.metrics.sectors import input_signature as sector_input_signature
from bellwether.universe import UniverseConfig
from bellwether.warehouse import Warehouse

Scope = Literal["ticker", "pair", "session"]
#: ``build(wh, first, last, universe, tickers, changed)``: ``tickers`` scopes a per-ticker or
#: pair mart's build (None: every ticker); ``changed`` tells a cross-sectional mart which
#: session ranges' inputs changed (None: all of first..last; ``RebuildStep.changed_ranges``).
Builder = Callable[
    [Warehouse, date, date, UniverseConfig, "frozenset[str] | None", "marts.ChangedRanges"],
    "marts.MartBuild",
]

#: The raw asset every mart stands on.
RAW_ASSET = "raw/daily_bars"


@dataclass(frozen=True)
class MartSpec:
    """Everything the code needs to know about one mart."""

    name: str
    key: tuple[str, ...]
    scope: Scope
    inputs: tuple[str, ...]
    reads: frozenset[str]
    carried_state: str
    seed_sql: str | None
    build: Builder
    checks: tuple[str, ...]
    description: str
    reference_inputs: tuple[str, ...]
    #: For a cross-sectional mart built on other marts: given an input mart's name and rows
    #: of it (``ticker, session_date`` and its columns), the part of each row this mart's
    #: values depend on. When set, a change to raw bars reaches this mart only through its
    #: inputs: their builds queue it on each session on which such a part changed
    #: (:func:`bellwether.invalidation.enqueue_input_changes`), not from every bar whose
    #: ``reads`` columns changed. A split scales every price of its stock's history, so its
    #: technicals' levels all change, but not whether its close is above its averages:
    #: breadth recounts only the sessions where a member's part really changed. None:
    #: queued from the changed raw columns in ``reads``.
    input_signature: Callable[[str, pl.DataFrame], pl.DataFrame] | None = None
    #: The columns :attr:`input_signature` reads of each input mart's rows, besides
    #: ``ticker, session_date`` (``tests/test_input_signature.py`` holds it to the function).
    signature_columns: Mapping[str, tuple[str, ...]] | None = None
    #: The version of the mart's definitions: raised whenever a change of its formulas or
    #: rules changes values it has stored. The next build of a mart whose stored rows were
    #: built with another version rebuilds it whole, from the first stored bar
    #: (:func:`bellwether.invalidation.enqueue_definition_change`). History:
    #: ``DEFINITION_CHANGES``.
    definition_version: int = 1

    @property
    def asset(self) -> str:
        """The Dagster asset key as a path: ``marts/<name>``."""
        return f"marts/{self.name}"

    @property
    def table(self) -> str:
        """The DuckDB table: ``marts.<name>``."""
        return f"marts.{self.name}"


def _per_ticker(build: Callable[..., marts.MartBuild]) -> Builder:
    return lambda wh, first, last, universe, tickers=None, changed=None: build(
        wh, first, last, tickers
    )


#: Each raise of a mart's :attr:`MartSpec.definition_version`: ``(mart, version)`` -> what
#: changed (the reason its rebuild is logged with).
DEFINITION_CHANGES: dict[tuple[str, int], str] = {
    ("breadth", 2): "pct_above_sma_N counts a close as above its average only by more than "
    "1e-9 of it (docs/METRICS.md, Above an average)",
}

#: Every mart, in dependency order (a mart's inputs come before it).
MARTS: dict[str, MartSpec] = {
    spec.name: spec
    for spec in (
        MartSpec(
            name="daily_returns",
            key=("ticker", "session_date"),
            scope="ticker",
            inputs=(RAW_ASSET,),
            reads=frozenset({"close", "adj_close"}),
            carried_state="none: windows of at most 253 sessions (52 weeks, the previous "
            "year's last close) read from the lookback; keeps marts.period_bases (each "
            "ticker's last bar before every month, from the stored base of the first month)",
            seed_sql=None,
            build=_per_ticker(marts.build_daily_returns),
            checks=("unique_key", "coverage", "recompute"),
            description="Price returns on close (1d, log 1d, 5d, 21d, MTD, YTD, 52w) and total "
            "returns on adj_close (1d, YTD), as fractions.",
            reference_inputs=("bars", "sessions"),
        ),
        MartSpec(
            name="streaks",
            key=("ticker", "session_date"),
            scope="ticker",
            inputs=(RAW_ASSET,),
            reads=frozenset({"close"}),
            carried_state="up/down run lengths, continued from the previous session's row; "
            "keeps marts.streak_history and marts.streak_since (bellwether/run_state.py)",
            seed_sql="marts/seed_streaks",
            build=_per_ticker(marts.build_streaks),
            checks=("unique_key", "coverage", "recompute"),
            description="Consecutive up/down closes at the instrument's published precision; "
            "an unchanged close ends both.",
            reference_inputs=("bars", "sessions"),
        ),
        MartSpec(
            name="technicals",
            key=("ticker", "session_date"),
            scope="ticker",
            inputs=(RAW_ASSET,),
            reads=frozenset({"high", "low", "close", "volume"}),
            carried_state="Wilder's RSI averages (from the last stored row in the lookback), "
            "the highest close before the lookback (record closes); windows up to 252 "
            "sessions from the lookback; keeps marts.close_records",
            seed_sql="marts/seed_technicals_rsi",
            build=_per_ticker(marts.build_technicals),
            checks=("unique_key", "coverage", "recompute"),
            description="SMA 20/50/200, Wilder RSI 14, intraday 52-week high/low, average volume "
            "(to the previous session), 20-day volatility and record closes.",
            reference_inputs=("bars", "sessions"),
        ),
        MartSpec(
            name="relative_performance",
            key=("ticker", "benchmark", "session_date"),
            scope="pair",
            inputs=("marts/daily_returns",),
            reads=frozenset({"close"}),
            carried_state="out/underperformance run lengths, continued from the previous "
            "session's row of the pair; keeps marts.relative_history and "
            "marts.relative_since",
            seed_sql="marts/seed_relative_performance",
            build=marts.build_relative_performance,
            checks=("unique_key", "recompute"),
            description="Configured ticker/benchmark pairs: excess return, price ratio, "
            "outperformance runs, YTD gap.",
            reference_inputs=("returns", "pairs"),
        ),
        MartSpec(
            name="sector_performance",
            key=("session_date", "ticker"),
            scope="session",
            inputs=("marts/daily_returns",),
            reads=frozenset({"close"}),
            carried_state="none: each session ranks its sector ETFs",
            seed_sql=None,
            build=marts.build_sector_performance,
            checks=("unique_key", "recompute"),
            description="The SPDR sector ETFs' daily and YTD returns ranked by the day's move.",
            reference_inputs=("returns", "sector_etfs"),
            input_signature=sector_input_signature,
            signature_columns=SECTOR_SIGNATURE_COLUMNS,
        ),
        MartSpec(
            name="breadth",
            key=("universe", "session_date"),
            scope="session",
            inputs=("marts/streaks", "marts/technicals"),
            reads=frozenset({"high", "low", "close"}),
            carried_state="the A/D line and the McClellan EMAs (19 and 39), continued from "
            "the previous session's row of each universe",
            seed_sql="marts/seed_breadth",
            build=marts.build_breadth,
            checks=("unique_key", "breadth_identity", "recompute"),
            description="Advance/decline, A/D line, McClellan oscillator, % above 20/50/200-day "
            "averages and 52-week highs/lows over each breadth universe.",
            reference_inputs=("members", "streaks", "technicals"),
            input_signature=breadth_member_signature,
            signature_columns=BREADTH_SIGNATURE_COLUMNS,
            definition_version=2,
        ),
    )
}

#: Mart asset keys (``marts/<name>``) in dependency order.
MART_ASSETS: tuple[str, ...] = tuple(spec.asset for spec in MARTS.values())


def mart(asset_or_name: str) -> MartSpec:
    """The spec of ``marts/<name>`` or ``<name>``."""
    name = asset_or_name.removeprefix("marts/")
    if name not in MARTS:
        raise KeyError(f"unknown mart {asset_or_name!r}; known: {', '.join(MARTS)}")
    return MARTS[name]
