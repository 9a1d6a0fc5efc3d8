"""The whole pipeline for a session range, without Dagster.

The same functions the Dagster assets call, in dependency order: land bars, then every
mart. Used by tests that need a built warehouse, by the benchmarks (to measure Dagster's
orchestration overhead against the bare pipeline) and by ``bellwether`` CLI commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from bellwether import invalidation, marts
from bellwether.calendar import FIRST_SESSION, sessions_between, sessions_in_range
from bellwether.chunks import session_chunks
from bellwether.landing import LandingReport, land_fetch
from bellwether.reference import refresh_reference_tables
from bellwether.registry import MART_ASSETS, mart
from bellwether.sources.base import BarSource
from bellwether.sqlfiles import load_sql
from bellwether.symbols import validate_symbols
from bellwether.universe import UniverseConfig
from bellwether.warehouse import Warehouse
from checks import gx_suite
from checks.run import run_mart_checks, run_raw_checks, run_recompute_check

__all__ = ["MART_ASSETS", "build_mart_range", "build_marts", "land_range", "run_pipeline"]


@dataclass
class RangeLanding:
    """What landing a session range did: one :class:`LandingReport` per chunk (one
    transaction, one archive and one ``raw.ingest_runs`` row each) and the raw check
    results of every chunk."""

    reports: list[LandingReport]
    check_results: pl.DataFrame | None = None
    docs_page: str | None = None
    #: the landing of the trailing window re-fetched before the range (None: not asked)
    trailing: LandingReport | None = None

    @property
    def rows_landed(self) -> int:
        return sum(r.rows_landed for r in self.reports)

    @property
    def rows_rejected(self) -> int:
        return sum(r.rows_rejected for r in self.reports)

    @property
    def actions_landed(self) -> int:
        return sum(r.actions_landed for r in self.reports)

    @property
    def failed(self) -> dict[str, str]:
        """Symbols that delivered nothing in some chunk, with the source's reason (and the
        chunk's range when the range had several chunks)."""
        out: dict[str, str] = {}
        for r in self.reports:
            for sym, why in r.failed.items():
                where = f" ({r.start}..{r.end})" if len(self.reports) > 1 else ""
                out[sym] = f"{out[sym]}; {why}{where}" if sym in out else f"{why}{where}"
        return dict(sorted(out.items()))

    @property
    def symbols_received(self) -> list[str]:
        return sorted({s for r in self.reports for s in r.symbols_received})

    @property
    def reject_reasons(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.reports:
            for reason, n in r.reject_reasons.items():
                out[reason] = out.get(reason, 0) + n
        return out

    def summary(self) -> str:
        """One line per chunk for logs."""
        return "\n".join(r.summary() for r in self.reports)


@dataclass
class PipelineResult:
    """What one pipeline run landed and built."""

    landings: RangeLanding
    marts: list[marts.MartBuild]

    @property
    def landing(self) -> LandingReport:
        """The landing report of a range landed in one chunk (every range up to
        :func:`bellwether.chunks.chunk_length` sessions); see ``landings`` otherwise."""
        if len(self.landings.reports) != 1:
            raise ValueError(
                f"the range was landed in {len(self.landings.reports)} chunks: "
                "use PipelineResult.landings.reports"
            )
        return self.landings.reports[0]


def land_range(
    wh: Warehouse,
    source: BarSource,
    universe: UniverseConfig,
    sessions: Sequence[date],
    symbols: Sequence[str],
    *,
    archive_root: Path | None = None,
    run_id: str | None = None,
    now: datetime | None = None,
    check: bool = True,
    use_gx: bool = True,
    trailing_sessions: int = 0,
) -> RangeLanding:
    """Fetch, land and check ``sessions`` chunk by chunk (:mod:`bellwether.chunks`): what
    the ``raw/daily_bars`` asset does for its partition range.

    Each chunk is one fetch and one landing transaction, then its raw checks; the
    reference tables are refreshed after the first landing.

    ``trailing_sessions`` (the daily run's trailing re-land, ``BELLWETHER_TRAILING_SESSIONS``):
    the K sessions before the range are fetched again first and landed like any other
    range. A source's last bars are provisional (volume and late prints are corrected after
    the close, a dividend changes ``adj_close`` the next day): unchanged bars are a no-op,
    changed ones are restatements, and the any-order rule rebuilds what depends on them."""
    now = now or datetime.now(UTC)
    if check and use_gx:
        gx_suite.preload()  # GX's import overlaps the fetch and the landing
    reports: list[LandingReport] = []
    results: list[pl.DataFrame] = []
    docs_page = None
    trailing = None
    if trailing_sessions > 0 and sessions:
        back = sessions_between(date(sessions[0].year - 1, 1, 1), sessions[0])[:-1]
        window = back[-trailing_sessions:]
        if window:
            fetched = source.fetch(symbols, window[0], window[-1])
            trailing = land_fetch(
                wh, fetched, sessions=window, symbols=symbols, run_id=run_id,
                archive_root=archive_root, now=now,
            )  # fmt: skip
            if check:
                checked = run_raw_checks(
                    wh, window[0], window[-1], universe, ingest_id=trailing.ingest_id,
                    run_id=run_id, now=now, use_gx=use_gx,
                )  # fmt: skip
                results.append(checked.results.filter(pl.col("check") != "freshness"))
    for chunk in session_chunks(sessions, len(symbols)):
        fetched = source.fetch(symbols, chunk[0], chunk[-1])
        # the landing opens the file itself (a lock failure is recorded in the archived
        # response's outcome); the checks after it hold the file open (one open, not one
        # per check), never while fetching
        report = land_fetch(
            wh, fetched, sessions=chunk, symbols=symbols, run_id=run_id,
            archive_root=archive_root, now=now,
        )  # fmt: skip
        with wh.session():
            if not reports:
                refresh_reference_tables(wh, universe)
            reports.append(report)
            if check:
                checked = run_raw_checks(
                    wh, chunk[0], chunk[-1], universe, ingest_id=report.ingest_id,
                    run_id=run_id, now=now, use_gx=use_gx,
                )  # fmt: skip
                results.append(checked.results)
                docs_page = checked.docs_page or docs_page
    combined = None
    if results:  # the freshness check is the same run-level fact in every chunk: keep one
        body = [r.filter(pl.col("check") != "freshness") for r in results]
        combined = pl.concat([*body, results[-1].filter(pl.col("check") == "freshness")])
    return RangeLanding(reports, combined, docs_page, trailing)


@dataclass(frozen=True)
class Rebuilt:
    """Sessions a mart run rewrote because earlier inputs changed (not the requested ones)."""

    first: date
    last: date
    tickers: int | None
    reason: str
    changed_first: date | None
    changed_last: date | None
    sessions_changed: tuple[date, ...]


def build_mart_range(
    wh: Warehouse,
    asset: str,
    sessions: Sequence[date],
    universe: UniverseConfig,
    *,
    run_id: str | None = None,
    now: datetime | None = None,
    check: bool = True,
) -> tuple[marts.MartBuild, pl.DataFrame | None]:
    """Build and check one mart (``marts/<name>``) over ``sessions`` and every rebuild the
    any-order rule has queued for it (:mod:`bellwether.invalidation`), chunk by chunk:
    what its asset does. Returns the combined build (its ``rebuilt`` lists what was
    rewritten beyond ``sessions`` and why) and the check results (``None`` unchecked).

    ``sessions`` may be empty: the run then only does the queued rebuilds. The file is
    held open for the whole build (:meth:`~bellwether.warehouse.Warehouse.session`)."""
    with wh.session():
        return _build_mart_range(wh, asset, sessions, universe, run_id=run_id, now=now, check=check)


def _build_mart_range(
    wh: Warehouse,
    asset: str,
    sessions: Sequence[date],
    universe: UniverseConfig,
    *,
    run_id: str | None,
    now: datetime | None,
    check: bool,
) -> tuple[marts.MartBuild, pl.DataFrame | None]:
    spec = mart(asset)
    now = now or datetime.now(UTC)
    requested = (min(sessions), max(sessions)) if sessions else None
    with wh.transaction() as con:
        # stored rows of another definition version: the whole mart is queued (with this
        # version recorded, in this transaction), so this run rebuilds it
        invalidation.enqueue_definition_change(con, spec, now)
        pending = invalidation.read_pending(con, spec.name)
        last_built = marts.last_built_session(con, spec.name)
        req_tickers = None
        if requested and spec.scope != "session" and pending.height:
            req_tickers = frozenset(
                t
                for (t,) in con.execute(
                    load_sql("marts/tickers_in_range"), list(requested)
                ).fetchall()
            )
        steps = invalidation.plan_rebuild(spec, requested, pending, last_built, req_tickers)
        # a step that starts before the first stored bar starts at it (nothing is stored
        # before it); the first bar is looked up only when some step may start earlier
        earliest = min((step.first for step in steps), default=None)
        first_bar = None
        if earliest is not None and not marts.bar_on_or_before(con, earliest):
            first_bar = con.execute(load_sql("marts/first_bar_session"), [None]).fetchall()[0][0]
    builds: list[marts.MartBuild] = []
    #: per build, the tickers its step rebuilt (None: every ticker) and the sessions it changed
    changed_by: list[tuple[frozenset[str] | None, tuple[date, ...]]] = []
    results: list[pl.DataFrame] = []
    rebuilt: list[Rebuilt] = []
    for step in steps:
        if first_bar is not None and step.first < first_bar:
            step = invalidation.RebuildStep(**{**step.__dict__, "first": first_bar})
        step_builds = []
        n_symbols = len(step.tickers) if step.tickers is not None else len(universe.symbols)
        for chunk in session_chunks(sessions_between(step.first, step.last), n_symbols):
            step_builds.append(
                spec.build(wh, chunk[0], chunk[-1], universe, step.tickers, step.changed_ranges)
            )
        if not step_builds:
            continue
        built = marts.combine_builds(step_builds)
        builds.append(built)
        changed_by.append((step.tickers, built.sessions_changed))
        with wh.transaction() as con:
            con.execute(
                load_sql("marts/insert_rebuild_log"),
                [spec.name, step.first, step.last, built.tickers, step.reason, step.changed_first,
                 step.changed_last, built.rows_written, len(built.sessions_changed), run_id, now,
                 None if step.tickers is None else sorted(step.tickers)],
            )  # fmt: skip
            if built.state_restarted:
                # their kept state was rewritten from their first row, before this step's
                # sessions: logged, so that the publish copies those rows too
                con.execute(
                    load_sql("marts/insert_rebuild_log"),
                    [spec.name, FIRST_SESSION, step.last, len(built.state_restarted),
                     f"kept state rebuilt from the first row (none before {step.first})",
                     None, None, 0, 0, run_id, now, sorted(built.state_restarted)],
                )  # fmt: skip
        beyond = tuple(
            d
            for d in built.sessions_changed
            if requested is None or not requested[0] <= d <= requested[1]
        )
        if step.reason != "requested" and beyond:
            rebuilt.append(
                Rebuilt(step.first, step.last, built.tickers, step.reason, step.changed_first,
                        step.changed_last, beyond)
            )  # fmt: skip
    with wh.transaction() as con:
        invalidation.consume(con, pending)
    if check and builds:
        # checked once every step is built (a scoped rebuild alone leaves other tickers'
        # rows of new sessions to a later step), chunk by chunk: over every ticker, the
        # requested sessions and those an unscoped step changed; over the scoped steps'
        # tickers only, the other sessions they changed (a corporate action re-basing one
        # ticker's whole history), each result merged with the stored one: a scoped build
        # replaced only its tickers' rows, so the others' stored results still hold
        # (checks.run.run_mart_checks)
        full = sorted({*sessions, *(d for t, ds in changed_by if t is None for d in ds)})
        beyond = [(t, set(ds).difference(full)) for t, ds in changed_by if t is not None]
        scoped = sorted({d for _, ds in beyond for d in ds})
        # the tickers of the scoped steps that changed such a session (a step of the
        # requested sessions' tickers changed none of them)
        scoped_tickers = sorted({x for t, ds in beyond if ds for x in t})
        for chunk in session_chunks(full, len(universe.symbols)):
            checked = run_mart_checks(wh, asset, chunk[0], chunk[-1], run_id=run_id, now=now)
            results.append(checked.results)
        for chunk in session_chunks(scoped, len(scoped_tickers)):
            checked = run_mart_checks(
                wh, asset, chunk[0], chunk[-1], tickers=scoped_tickers, run_id=run_id, now=now
            )
            # a chunk's range may hold sessions checked in full above: reported once
            results.append(checked.results.filter(~pl.col("session_date").is_in(full)))
        # the sample over the last sessions only when the run changed nothing of every
        # ticker before them (a backfill, a rebuild of every ticker's older rows: over the
        # full history); the tickers whose history a scoped step rebuilt (a split, a late
        # symbol) over theirs, from the earliest session it changed
        rebuilt_from: dict[str, date] = {}
        for t, ds in beyond:
            for x in t if ds else ():
                rebuilt_from[x] = min(rebuilt_from.get(x, date.max), min(ds))
        checked = run_recompute_check(
            wh, asset, universe, written=list(sessions) or [step.last for step in steps],
            changed_from=full[0] if full else min(scoped, default=None),
            rebuilt=rebuilt_from, run_id=run_id, now=now,
        )  # fmt: skip
        results.append(checked.results)
    if not builds:
        empty = marts.MartBuild(
            spec.table, *(requested or (date.min, date.min)), 0, False, pl.DataFrame()
        )
        return empty, (pl.concat(results) if results else None)
    combined = marts.combine_builds(builds)
    combined = marts.MartBuild(**{**combined.__dict__, "rebuilt": tuple(rebuilt)})
    return combined, (pl.concat(results) if results else None)


def build_marts(
    wh: Warehouse, first: date, last: date, universe: UniverseConfig
) -> list[marts.MartBuild]:
    """Build every mart for sessions ``first..last`` in dependency order (unchecked)."""
    sessions = sessions_in_range(first, last)
    return [
        build_mart_range(wh, asset, sessions, universe, check=False)[0] for asset in MART_ASSETS
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
    symbols: Sequence[str] | None = None,
    trailing_sessions: int = 0,
    published: Path | None = None,
) -> PipelineResult:
    """Land ``first..last`` from ``source``, run the raw checks, build every mart on what
    passed them and check the marts: what the Dagster assets do, in their order, without
    Dagster (each step chunk by chunk, :mod:`bellwether.chunks`).

    ``published``: publish the warehouse there after a successful run, as the Dagster job's
    ``warehouse/published`` asset does (:mod:`bellwether.publish`; the CLI and bench pass
    :func:`bellwether.settings.published_path`).

    ``symbols`` (default: the universe's) is what is requested from the source; a range
    that is reversed or outside the session calendar is a
    :class:`~bellwether.calendar.SessionRangeError` before anything is fetched."""
    now = now or datetime.now(UTC)
    sessions = sessions_in_range(first, last)
    symbols = validate_symbols(universe.symbols if symbols is None else symbols)
    landed = land_range(
        wh, source, universe, sessions, symbols, archive_root=archive_root, run_id=run_id,
        now=now, check=check, use_gx=use_gx, trailing_sessions=trailing_sessions,
    )  # fmt: skip
    built = [
        build_mart_range(wh, asset, sessions, universe, run_id=run_id, now=now, check=check)[0]
        for asset in MART_ASSETS
    ]
    if published is not None:  # opt-in: tests build many warehouses that nobody reads
        from bellwether.publish import publish

        publish(wh, run_id, sessions, published=published)
    return PipelineResult(landed, built)
