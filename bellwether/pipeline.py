"""The whole pipeline for a session range, without Dagster.

The same functions the Dagster assets call, in dependency order: land bars, then every
mart. Used by tests that need a built warehouse, by the benchmarks (to measure Dagster's
orchestration overhead against the bare pipeline) and by ``bellwether`` CLI commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from bellwether import marts
from bellwether.calendar import sessions_between
from bellwether.landing import LandingReport, land_fetch
from bellwether.quality.run import run_mart_checks, run_raw_checks
from bellwether.reference import refresh_reference_tables
from bellwether.sources.base import BarSource
from bellwether.symbols import validate_symbols
from bellwether.universe import UniverseConfig
from bellwether.warehouse import Warehouse

MART_ASSETS = tuple(
    f"marts/{name}"
    for name in (
        "daily_returns",
        "streaks",
        "technicals",
        "relative_performance",
        "sector_performance",
        "breadth",
    )
)


@dataclass
class PipelineResult:
    """What one pipeline run landed and built."""

    landing: LandingReport
    marts: list[marts.MartBuild]


def build_marts(
    wh: Warehouse, first: date, last: date, universe: UniverseConfig
) -> list[marts.MartBuild]:
    """Build every mart for sessions ``first..last`` in dependency order."""
    return [
        marts.build_daily_returns(wh, first, last),
        marts.build_streaks(wh, first, last),
        marts.build_technicals(wh, first, last),
        marts.build_relative_performance(wh, first, last, universe),
        marts.build_sector_performance(wh, first, last, universe),
        marts.build_breadth(wh, first, last, universe),
    ]


def run_pipeline(
    wh: Warehouse,
    source: BarSource,
    universe: UniverseConfig,
    first: date,
    last: date,
    *,
    archive_root: Path | None = None,
    run_id: str | None = None,
    now: datetime | None = None,
    check: bool = True,
    use_gx: bool = True,
) -> PipelineResult:
    """Land ``first..last`` from ``source``, run the raw checks, build every mart on what
    passed them and check the marts: what the Dagster assets do, without Dagster."""
    now = now or datetime.now(UTC)
    sessions = sessions_between(first, last)
    if not sessions:
        raise ValueError(f"no NYSE session in {first}..{last}")
    symbols = validate_symbols(universe.symbols)
    fetched = source.fetch(symbols, sessions[0], sessions[-1])
    report = land_fetch(
        wh, fetched, sessions=sessions, symbols=symbols, run_id=run_id,
        archive_root=archive_root, now=now,
    )  # fmt: skip
    refresh_reference_tables(wh, universe)
    if check:
        run_raw_checks(
            wh,
            sessions[0],
            sessions[-1],
            universe,
            ingest_id=report.ingest_id,
            run_id=run_id,
            now=now,
            use_gx=use_gx,
        )
    built = build_marts(wh, sessions[0], sessions[-1], universe)
    if check:
        for asset in MART_ASSETS:
            run_mart_checks(wh, asset, sessions[0], sessions[-1], run_id=run_id, now=now)
    return PipelineResult(report, built)
