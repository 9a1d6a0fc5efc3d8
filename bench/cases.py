"""The measured cases. Each runs in its own process (``python -m bench.cases spec.json``) so
that its peak memory (``ru_maxrss``) is its own; the runner (:mod:`bench.runner`) starts
them and collects the JSON each one writes.

A case's clock covers what a user waits for once the code is loaded: the Python start-up
and the imports of Dagster, polars and DuckDB are outside it (the same for every case);
Great Expectations is imported lazily by the first check run, so its import (several
seconds) is inside the clock of every case that runs checks, as in a production run.

Cases:

``dagster_backfill``   land + every mart + every check through Dagster: ``dg.materialize`` of
                       every asset with the partition-range tags, in a fresh instance under
                       a temporary ``DAGSTER_HOME`` holding the project's ``dagster.yaml``
``bare_backfill``      the same work without Dagster: :func:`bellwether.pipeline.run_pipeline`
                       with its checks (the raw checks before the marts, the mart checks after),
                       chunk by chunk as the assets do (``bellwether.chunks``)
``engine``             the six metrics on in-memory bars, full history, with one engine:
                       ``polars`` (``bellwether.metrics``), ``duckdb_sql``
                       (``sql/reference`` via :mod:`bellwether.reference_sql`) or
                       ``naive_pandas`` (:mod:`bench.naive_pandas`)
``daily``              one new session (every asset and check) on a copy of a warehouse that
                       already holds the history, through Dagster or bare
``dagster_create_run`` creating (not executing) the run of a single-run backfill of every
                       asset over a size's range, in a fresh instance
``demo``               ``bellwether demo`` on a fresh state, the whole command's wall time;
                       then a Dagster range run of the briefs (seconds per session)
``history``            (set-up, not a result) build a warehouse with a history, bare
``queries``            latency of every named query in ``sql/queries`` on a built warehouse
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl

from bellwether.settings import PROJECT_ROOT
from bench.profiling import StageMeter, maybe_profile, peak_rss_mb
from bench.sizes import Size

DAGSTER_YAML = PROJECT_ROOT / "dagster_home" / "dagster.yaml"
#: Console log level of the Dagster runs (the demo's; every event still goes to the event log).
DAGSTER_LOG_LEVEL = "WARNING"
PLANNED_SUBSET_ENV = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"


# ---- inputs --------------------------------------------------------------------------


def source_and_universe(size: Size):
    """The bar source and universe a size lands."""
    if size.source == "bundled":
        from bellwether.sources.bundled import BundledSource
        from bellwether.universe import default_universe

        return BundledSource(), default_universe()
    from bellwether.sources.synthetic import SyntheticSource

    source = SyntheticSource(size.n_symbols)
    return source, source.universe


def resources_for(size: Size, workdir: Path) -> dict:
    """Dagster resources pointing at the case's warehouse and archive."""
    from orchestration.resources import BarSourceResource, WarehouseResource

    source = (
        BarSourceResource(kind="bundled")
        if size.source == "bundled"
        else BarSourceResource(kind="synthetic", synthetic_symbols=size.n_symbols)
    )
    return {
        "warehouse": WarehouseResource(
            path=str(workdir / "warehouse.duckdb"), archive_dir=str(workdir / "archive")
        ),
        "source": source,
    }


def use_universe(universe) -> None:
    """Make the Dagster assets use ``universe`` (they read ``default_universe()``, i.e.
    ``config/universe.yaml``; a synthetic size needs its generated universe instead)."""
    import assets.marts
    import assets.raw

    assets.raw.default_universe = lambda: universe
    assets.marts.default_universe = lambda: universe


def fresh_dagster_home(workdir: Path, dagster_yaml: Path | str | None = None) -> Path:
    """A new ``DAGSTER_HOME`` with the project's instance configuration (or
    ``dagster_yaml``, e.g. ``config/dagster.postgres.yaml``)."""
    home = workdir / "dagster_home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    shutil.copy(dagster_yaml or DAGSTER_YAML, home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def bench_bars(size: Size) -> tuple[pl.DataFrame, object]:
    """Validated bars of a size as the metrics read them (with ``price_decimals``)."""
    from datetime import UTC, datetime

    from bellwether.bars import validate_bars

    source, universe = source_and_universe(size)
    symbols = universe.symbols
    fetched = source.fetch(symbols, size.first, size.last)
    good = validate_bars(fetched.bars, symbols=symbols, now=datetime.now(UTC)).good
    decimals = universe.instruments_frame().select("ticker", "price_decimals")
    bars = good.join(decimals, on="ticker", how="left").with_columns(
        pl.col("price_decimals").fill_null(4)
    )
    return bars.sort("ticker", "session_date"), universe


# ---- results checksums ---------------------------------------------------------------


def checksum(frame) -> dict:
    """Row count, and per numeric, boolean or date column the sum (of dates: days since
    1970, an integer compared exactly) and the null count: enough to see that two engines
    computed the same thing without keeping their outputs."""
    if not isinstance(frame, pl.DataFrame):  # pandas
        frame = pl.from_pandas(frame)
    out: dict = {"rows": frame.height}
    for name, dtype in frame.schema.items():
        if dtype.is_temporal() and dtype != pl.Duration:
            col = frame[name].cast(pl.Date).cast(pl.Int64)
            out[name] = [int(col.sum() or 0), int(col.null_count())]  # exact
        elif dtype.is_numeric() or dtype == pl.Boolean:
            col = frame[name].cast(pl.Float64)
            col = col.fill_nan(None)
            out[name] = [float(col.sum() or 0.0), int(col.null_count())]
    return out


# ---- cases ---------------------------------------------------------------------------


def case_dagster_backfill(spec: dict, out: dict) -> None:
    size = Size.from_dict(spec["size"])
    workdir = Path(spec["workdir"])
    if spec.get("planned_subset"):
        os.environ[PLANNED_SUBSET_ENV] = "1"
    fresh_dagster_home(workdir, spec.get("dagster_yaml"))
    # the partition set must reach back to the size's first session (before the assets load)
    os.environ["BELLWETHER_HISTORY_START"] = size.first.isoformat()
    import dagster as dg

    import assets.marts
    import assets.raw
    from bellwether.calendar import sessions_between
    from orchestration.schedules import RANGE_END_TAG, RANGE_START_TAG

    _, universe = source_and_universe(size)
    use_universe(universe)
    all_assets = dg.load_assets_from_modules([assets.raw, assets.marts])
    sessions = sessions_between(size.first, size.last)
    tags = {
        RANGE_START_TAG: sessions[0].isoformat(),
        RANGE_END_TAG: sessions[-1].isoformat(),
    }
    run_config = {"loggers": {"console": {"config": {"log_level": DAGSTER_LOG_LEVEL}}}}
    with dg.DagsterInstance.get() as instance:
        created = _time_run_creation(instance)
        t0 = time.perf_counter()
        with maybe_profile(bool(spec.get("profile")), out, spec.get("profile_dump")):
            result = dg.materialize(
                all_assets, resources=resources_for(size, workdir), instance=instance,
                tags=tags, run_config=run_config,
            )  # fmt: skip
        out["seconds"] = time.perf_counter() - t0
        out["extra"]["success"] = bool(result.success)
        out["extra"]["sessions"] = len(sessions)
        out["extra"]["create_run_s"] = created.get("seconds")
        out["extra"]["events"] = event_counts(instance, result.run_id)
    out["extra"]["instance_mb"] = dir_mb(Path(os.environ["DAGSTER_HOME"]))


def dir_mb(folder: Path) -> float:
    """Size of the files under ``folder`` in MiB."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def _time_run_creation(instance) -> dict:
    """Time ``instance.create_run_for_job`` (the run and its planned events) on this instance."""
    created: dict = {}
    original = instance.create_run_for_job

    def timed(*args, **kwargs):
        t = time.perf_counter()
        run = original(*args, **kwargs)
        created["seconds"] = time.perf_counter() - t
        return run

    instance.create_run_for_job = timed
    return created


def case_dagster_create_run(spec: dict, out: dict) -> None:
    """Create (not execute) the run of a single-run backfill of every asset over a size's
    range: the run and its planned events, what launching a backfill from the UI waits for."""
    size = Size.from_dict(spec["size"])
    fresh_dagster_home(Path(spec["workdir"]))
    os.environ["BELLWETHER_HISTORY_START"] = size.first.isoformat()
    import dagster as dg
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    from bellwether.calendar import sessions_between
    from orchestration.definitions import defs

    sessions = sessions_between(size.first, size.last)
    job = defs.resolve_job_def("bellwether_daily")
    tags = {
        ASSET_PARTITION_RANGE_START_TAG: sessions[0].isoformat(),
        ASSET_PARTITION_RANGE_END_TAG: sessions[-1].isoformat(),
    }
    with dg.DagsterInstance.get() as instance:
        from dagster._core.execution.api import create_execution_plan

        t0 = time.perf_counter()
        plan = create_execution_plan(job, tags=tags, instance_ref=instance.get_ref())
        run = instance.create_run_for_job(job, execution_plan=plan, tags=tags)
        out["seconds"] = time.perf_counter() - t0
        out["extra"]["sessions"] = len(sessions)
        out["extra"]["events"] = event_counts(instance, run.run_id)
    out["extra"]["instance_mb"] = dir_mb(Path(os.environ["DAGSTER_HOME"]))


#: The range of the lazy-brief case: the bundled sample's last 149 sessions up to the last
#: session with data in every section (the range that took 1 min 50 s before).
BRIEF_RANGE = ("2025-06-23", "2026-01-30")


def case_demo(spec: dict, out: dict) -> None:
    """``bellwether demo`` on a fresh state (its own warehouse, reports and Dagster
    instance), wall time of the whole command (start-up and imports included, as ``make
    demo`` after the install); then a range run of ``reports/market_brief`` over
    :data:`BRIEF_RANGE` on the published warehouse it left (``extra``: seconds per session)."""
    import subprocess

    work = Path(spec["workdir"])
    home = fresh_dagster_home(work)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "BELLWETHER_SOURCE": "bundled",
        "BELLWETHER_WAREHOUSE": str(work / "writer" / "warehouse.duckdb"),
        "BELLWETHER_PUBLISHED": str(work / "warehouse.duckdb"),
        "BELLWETHER_REPORTS": str(work / "reports"),
        "BELLWETHER_ARCHIVE": str(work / "archive"),
        "BELLWETHER_CHARTS": str(work / "charts"),
    }
    bin_dir = Path(sys.executable).parent
    t0 = time.perf_counter()
    demo = subprocess.run([str(bin_dir / "bellwether"), "demo"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True)  # fmt: skip
    out["seconds"] = time.perf_counter() - t0
    (work.parent / "demo.txt").write_text(demo.stdout + demo.stderr)
    if demo.returncode != 0:
        raise RuntimeError(f"bellwether demo failed: {(demo.stdout + demo.stderr)[-2000:]}")
    out["extra"]["last_line"] = demo.stdout.strip().splitlines()[-1]
    from bellwether.calendar import sessions_between

    first, last = BRIEF_RANGE
    n = len(sessions_between(date.fromisoformat(first), date.fromisoformat(last)))
    t1 = time.perf_counter()
    briefs = subprocess.run(
        [str(bin_dir / "dagster"), "asset", "materialize", "-m", "orchestration.definitions",
         "--select", "reports/market_brief", "--partition-range", f"{first}...{last}"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - t1
    if briefs.returncode != 0:
        raise RuntimeError(f"brief range run failed: {briefs.stderr[-2000:]}")
    out["extra"]["brief_range_sessions"] = n
    out["extra"]["brief_range_s"] = seconds
    out["extra"]["brief_s_per_session"] = seconds / n
    out["extra"]["briefs_written"] = len(list((work / "reports").glob("*.md")))


def event_counts(instance, run_id: str) -> dict[str, int]:
    """Events the run stored, by type."""
    counts: dict[str, int] = {}
    cursor = None
    while True:
        conn = instance.get_records_for_run(run_id, cursor=cursor, limit=20_000)
        for record in conn.records:
            entry = record.event_log_entry
            kind = entry.dagster_event.event_type_value if entry.dagster_event else "log message"
            counts[kind] = counts.get(kind, 0) + 1
        if not conn.has_more:
            break
        cursor = conn.cursor
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def bare_pipeline(
    wh, source, universe, first: date, last: date, archive_root: Path, meter=None, trailing: int = 0
):
    """:func:`bellwether.pipeline.run_pipeline` with its checks (what the assets do)."""
    from bellwether import pipeline

    if meter is not None:  # stage timings and memory for the profile runs
        from bellwether import landing, marts, reference
        from checks import run as quality_run

        pipeline.land_fetch = meter.wrap("land (validate, archive, insert)", landing.land_fetch)
        pipeline.refresh_reference_tables = meter.wrap(
            "reference tables", reference.refresh_reference_tables
        )
        pipeline.run_raw_checks = meter.wrap("raw checks (GX + polars)", quality_run.run_raw_checks)
        pipeline.run_mart_checks = meter.wrap("mart checks", quality_run.run_mart_checks)
        for name in ("daily_returns", "streaks", "technicals", "relative_performance",
                     "sector_performance", "breadth"):  # fmt: skip
            fn = getattr(marts, f"build_{name}")
            setattr(
                marts, f"build_{name}", meter.wrap(f"mart {name}", getattr(fn, "__wrapped__", fn))
            )
    return pipeline.run_pipeline(
        wh, source, universe, first, last, archive_root=archive_root, check=True,
        trailing_sessions=trailing,
    )  # fmt: skip


def case_bare_backfill(spec: dict, out: dict) -> None:
    from bellwether.warehouse import Warehouse

    size = Size.from_dict(spec["size"])
    workdir = Path(spec["workdir"])
    source, universe = source_and_universe(size)
    wh = Warehouse(workdir / "warehouse.duckdb")
    meter = StageMeter() if spec.get("profile") else None
    t0 = time.perf_counter()
    with maybe_profile(bool(spec.get("profile")), out, spec.get("profile_dump")):
        # one run over the whole range; run_pipeline works through it in chunks
        bare_pipeline(wh, source, universe, size.first, size.last, workdir / "archive", meter)
    out["seconds"] = time.perf_counter() - t0
    if meter is not None:
        meter.close()
        out["extra"]["stages"] = meter.stages
    if spec.get("keep_warehouse"):
        keep = Path(spec["keep_warehouse"])
        keep.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(workdir / "warehouse.duckdb", keep)


def case_any_order_backfill(spec: dict, out: dict) -> None:
    """The last calendar year of the size built first (one run), then every earlier year
    backfilled in one run: the any-order rule rebuilds the built year's marts. Its cost
    against ``bare_backfill`` of the same size (every year in order, one run)."""
    from bellwether.calendar import sessions_between
    from bellwether.warehouse import Warehouse

    size = Size.from_dict(spec["size"])
    workdir = Path(spec["workdir"])
    source, universe = source_and_universe(size)
    wh = Warehouse(workdir / "warehouse.duckdb")
    year_first = sessions_between(date(size.last.year, 1, 1), size.last)[0]
    earlier_last = sessions_between(size.first, date(size.last.year - 1, 12, 31))[-1]
    t0 = time.perf_counter()
    bare_pipeline(wh, source, universe, year_first, size.last, workdir / "archive")
    t1 = time.perf_counter()
    bare_pipeline(wh, source, universe, size.first, earlier_last, workdir / "archive")
    out["seconds"] = time.perf_counter() - t0
    out["extra"]["built_year_s"] = t1 - t0
    out["extra"]["backfill_before_it_s"] = time.perf_counter() - t1
    out["extra"]["built_year"] = f"{year_first}..{size.last}"
    out["extra"]["backfilled"] = f"{size.first}..{earlier_last}"


def polars_chain(bars: pl.DataFrame, universe) -> dict[str, pl.DataFrame]:
    """The six metrics with :mod:`bellwether.metrics` (full history, no seeds)."""
    from bellwether.metrics.breadth import breadth
    from bellwether.metrics.per_ticker import ticker_metrics
    from bellwether.metrics.relative import relative_performance
    from bellwether.metrics.sectors import sector_performance

    # daily returns, streaks and technicals from one session panel
    out = ticker_metrics(bars)
    out["relative_performance"] = relative_performance(
        out["daily_returns"], universe.relative_pairs
    )
    out["sector_performance"] = sector_performance(out["daily_returns"], sector_etfs(universe))
    members = breadth_members(universe)
    streaks, tech = out["streaks"], out["technicals"]
    tech = tech.select(
        "ticker", "session_date", "close", "sma_20", "sma_50", "sma_200", "high_52w",
        "is_new_high_52w", "is_new_low_52w",
    )  # fmt: skip
    keys = ["ticker", "session_date"]
    if streaks.select(keys).equals(tech.select(keys)):
        # one row per bar in the same order in both (ticker_metrics): a join on
        # (ticker, session) would pair each row with itself
        per_bar = tech.with_columns(streaks["direction"])
    else:
        per_bar = streaks.select(*keys, "direction").join(tech, on=keys)
    joined = members.join(per_bar, on="ticker")
    sizes = dict(members.group_by("universe").len().iter_rows())
    out["breadth"] = breadth(joined, sizes)
    return out


def sql_chain(bars: pl.DataFrame, universe) -> dict[str, pl.DataFrame]:
    """The six metrics with the DuckDB-SQL reference implementation (``sql/reference``)."""
    import duckdb

    from bellwether.reference_sql import run_reference, sessions_frame

    con = duckdb.connect()
    try:
        sessions = sessions_frame(bars["session_date"].min(), bars["session_date"].max())
        out = {"daily_returns": run_reference("daily_returns", con, bars=bars, sessions=sessions)}
        out["streaks"] = run_reference("streaks", con, bars=bars, sessions=sessions)
        out["technicals"] = run_reference("technicals", con, bars=bars, sessions=sessions)
        pairs = pl.DataFrame(
            list(universe.relative_pairs),
            schema={"ticker": pl.String, "benchmark": pl.String},
            orient="row",
        )
        out["relative_performance"] = run_reference(
            "relative_performance", con, returns=out["daily_returns"], pairs=pairs
        )
        out["sector_performance"] = run_reference(
            "sector_performance",
            con,
            returns=out["daily_returns"],
            sector_etfs=sector_etfs(universe),
        )
        out["breadth"] = run_reference(
            "breadth", con, members=breadth_members(universe).select("universe", "ticker"),
            streaks=out["streaks"], technicals=out["technicals"],
        )  # fmt: skip
    finally:
        con.close()
    return out


def pandas_chain(bars: pl.DataFrame, universe) -> dict:
    """The six metrics with the naive pandas baseline (:mod:`bench.naive_pandas`)."""
    from bench import naive_pandas as nv

    pdf = bars.to_pandas()
    pdf["session_date"] = pdf["session_date"].astype("datetime64[ns]")
    out = {"daily_returns": nv.daily_returns(pdf)}
    out["streaks"] = nv.streaks(pdf)
    out["technicals"] = nv.technicals(pdf)
    out["relative_performance"] = nv.relative_performance(
        out["daily_returns"], universe.relative_pairs
    )
    out["sector_performance"] = nv.sector_performance(
        out["daily_returns"], sector_etfs(universe).to_pandas()
    )
    out["breadth"] = nv.breadth(
        breadth_members(universe).to_pandas(), out["streaks"], out["technicals"]
    )
    return out


def sector_etfs(universe) -> pl.DataFrame:
    """``ticker, sector`` of the universe's sector ETFs."""
    return pl.DataFrame(
        [(i.symbol, i.sector) for i in universe.instruments.values() if i.kind == "etf" and i.sector],
        schema={"ticker": pl.String, "sector": pl.String},
        orient="row",
    )  # fmt: skip


def breadth_members(universe) -> pl.DataFrame:
    """``universe, ticker`` of the breadth universes (membership as configured; the
    active-window bounds are not applied, as the SQL reference has none)."""
    return pl.DataFrame(
        [(u.name, m) for u in universe.universes.values() if u.breadth for m in u.members],
        schema={"universe": pl.String, "ticker": pl.String},
        orient="row",
    )


CHAINS = {"polars": polars_chain, "duckdb_sql": sql_chain, "naive_pandas": pandas_chain}


def case_engine(spec: dict, out: dict) -> None:
    size = Size.from_dict(spec["size"])
    engine = spec["engine"]
    bars, universe = bench_bars(size)
    out["extra"]["rows"] = bars.height
    out["extra"]["input_rss_mb"] = peak_rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    with maybe_profile(bool(spec.get("profile")), out, spec.get("profile_dump")):
        results = CHAINS[engine](bars, universe)
    out["seconds"] = time.perf_counter() - t0
    # CPU time of the process (every thread): the work done, less sensitive to other load
    out["extra"]["cpu_seconds"] = time.process_time() - c0
    out["extra"]["checksums"] = {name: checksum(frame) for name, frame in results.items()}


def case_history(spec: dict, out: dict) -> None:
    """Set-up: a warehouse holding ``size`` (bare pipeline), moved to ``keep_warehouse``."""
    spec = {**spec, "keep_warehouse": spec["keep_warehouse"]}
    case_bare_backfill(spec, out)


#: The day's corporate actions a daily case keeps (spec key ``actions``): every one
#: (True), none (False), or one kind, to tell what each costs (bench/ANALYSIS.md).
ACTION_FILTERS: dict[str, Callable[[pl.DataFrame], pl.DataFrame]] = {
    "splits": lambda a: a.filter(pl.col("action") == "split"),
    "dividends": lambda a: a.filter(pl.col("action") == "dividend"),
    "one_dividend": lambda a: a.filter(pl.col("action") == "dividend").head(1),
}


def _daily_source(n: int, actions: bool | str, daily_basis: bool = False):
    """The synthetic source of ``n`` symbols. Without ``actions``, every fetch's corporate
    actions dropped (its bars unchanged): how much of a daily run their re-basing is; with
    the name of an :data:`ACTION_FILTERS`, only those actions kept. With ``daily_basis``,
    every fetch delivered on the basis of its last session, as Yahoo's daily downloads are
    (the synthetic source's own basis is after every action it will ever generate, so its
    new actions never re-base stored history)."""
    from bellwether.sources.synthetic import SyntheticSource

    if isinstance(actions, str) and actions not in ACTION_FILTERS:
        raise ValueError(f"actions {actions!r}: true, false or one of {sorted(ACTION_FILTERS)}")

    class Daily(SyntheticSource):
        def fetch(self, symbols, start, end):
            result = super().fetch(symbols, start, end)
            if not actions:
                result.actions = result.actions.clear()
            elif isinstance(actions, str):
                result.actions = ACTION_FILTERS[actions](result.actions)
            if daily_basis:
                result.basis_session = end
            return result

    return Daily(n)


def _as_if_backfilled_on_its_last_day(path: Path) -> None:
    """Every stored bar of the history at ``path`` delivered on the basis of its last
    session (a history downloaded once, on that day, as a Yahoo backfill is): a later
    action then re-bases the whole history of its ticker. Opened as the warehouse, so a
    history made by an earlier version gets the current schema here, before the clock, as a
    warehouse in operation has it before its daily run."""
    from bellwether.sqlfiles import load_sql
    from bellwether.warehouse import Warehouse

    with Warehouse(path).connect() as con:
        con.execute(load_sql("bench/history_basis_last_session"))


def case_daily(spec: dict, out: dict) -> None:
    from bellwether.warehouse import Warehouse

    workdir = Path(spec["workdir"])
    session = date.fromisoformat(spec["session"])
    n = int(spec["n_symbols"])
    target = workdir / "warehouse.duckdb"
    shutil.copy(spec["history"], target)
    # the copy's pages are still being written back: the run's first fsync (DuckDB's
    # checkpoint) would wait for all of them, seconds for a 5 GB history, a cost of the
    # copy and not of the run; a daily run finds its file on disk
    with open(target, "rb+") as f:
        os.fsync(f.fileno())
    if spec.get("daily_basis"):
        _as_if_backfilled_on_its_last_day(target)  # before the clock: a set-up of the case
    # bare_no_actions: the same day with its corporate actions dropped (its bars unchanged),
    # so nothing is re-based: the part of the daily run that is not re-basing;
    # bare_dividends: with its split dropped and its dividends kept, the ordinary day of a
    # universe of 3,000 stocks (a dozen ex-dividend dates a day, a split a few times a month)
    actions = {"bare_no_actions": False, "bare_dividends": "dividends"}.get(
        spec["mode"], spec.get("actions", True)
    )
    source = _daily_source(n, actions, bool(spec.get("daily_basis")))
    universe = source.universe
    _time_gx(out)  # the Great Expectations share of the run, in out["extra"]["gx_s"]
    if spec["mode"] in ("bare", "bare_trailing", "bare_no_actions", "bare_dividends"):
        # bare_trailing: the scheduled daily run, which also re-fetches the 5 sessions
        # before its own (unchanged bars: nothing rewritten, nothing rebuilt)
        trailing = 5 if spec["mode"] == "bare_trailing" else 0
        wh = Warehouse(target)
        t0 = time.perf_counter()
        with maybe_profile(bool(spec.get("profile")), out, spec.get("profile_dump")):
            bare_pipeline(
                wh, source, universe, session, session, workdir / "archive", trailing=trailing
            )
        out["seconds"] = time.perf_counter() - t0
        return
    fresh_dagster_home(workdir)
    import dagster as dg

    import assets.marts
    import assets.raw
    from bench.sizes import synthetic_size

    use_universe(universe)
    all_assets = dg.load_assets_from_modules([assets.raw, assets.marts])
    size = synthetic_size(n, 1)
    run_config = {"loggers": {"console": {"config": {"log_level": DAGSTER_LOG_LEVEL}}}}
    with dg.DagsterInstance.get() as instance:
        t0 = time.perf_counter()
        with maybe_profile(bool(spec.get("profile")), out, spec.get("profile_dump")):
            result = dg.materialize(
                all_assets, resources=resources_for(size, workdir), instance=instance,
                partition_key=session.isoformat(), run_config=run_config,
            )  # fmt: skip
        out["seconds"] = time.perf_counter() - t0
        out["extra"]["success"] = bool(result.success)


def _time_gx(out: dict) -> list[float]:
    """Time Great Expectations in a run: every call of ``checks.gx_suite.validate_bars``
    (waiting for the preloaded import and context, the validation, the Data Docs page),
    summed into ``out["extra"]["gx_s"]`` as the calls return."""
    from checks import gx_suite

    seconds: list[float] = []
    validate = gx_suite.validate_bars

    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return validate(*args, **kwargs)
        finally:
            seconds.append(time.perf_counter() - t0)
            out["extra"]["gx_s"] = round(sum(seconds), 3)

    gx_suite.validate_bars = timed
    return seconds


def query_params(query, universe: str, as_of: date, first: date) -> dict | None:
    """Values for a named query's parameters (None when one is not known here)."""
    values: dict[str, object] = {}
    for p in query.params:
        if p.name == "as_of":
            values[p.name] = as_of
        elif p.name == "start_date":
            values[p.name] = first
        elif p.name == "end_date":
            values[p.name] = as_of
        elif p.name == "universe":
            values[p.name] = universe
        elif p.name == "ticker":
            values[p.name] = "^RUT"
        elif p.name == "benchmark":
            values[p.name] = "^GSPC"
        elif p.name == "sessions":
            values[p.name] = 252
        else:
            return None
    return values


def time_query(con, name: str, params: dict, repeats: int) -> tuple[int, float, list[float]]:
    """Named query ``name`` run once cold, then ``repeats`` times: its rows and the seconds
    of the cold run and of each warm one."""
    from bellwether.queries import run_query

    s = time.perf_counter()
    rows = run_query(con, name, **params).height
    cold = time.perf_counter() - s
    times = []
    for _ in range(repeats):
        s = time.perf_counter()
        run_query(con, name, **params)
        times.append(time.perf_counter() - s)
    return rows, cold, times


def case_queries(spec: dict, out: dict) -> None:
    from bellwether.queries import list_queries
    from bellwether.warehouse import Warehouse

    wh = Warehouse(spec["warehouse"])
    as_of, first = date.fromisoformat(spec["as_of"]), date.fromisoformat(spec["start_date"])
    repeats = int(spec["repeats"])
    results = {}
    t0 = time.perf_counter()
    # a query measured again with some parameters of its own (e.g. the universe its
    # documentation names), reported as "<name> (<param>=<value>)"
    variants = spec.get("variants", {})
    with wh.connect(read_only=True) as con:
        runs = []
        for q in list_queries():
            breadth = "breadth" in q.name
            params = query_params(
                q, spec["breadth_universe" if breadth else "universe"], as_of, first
            )
            runs.append((q.name, q, params))
            if params is not None and q.name in variants:
                extra = variants[q.name]
                label = ", ".join(f"{k}={v}" for k, v in extra.items())
                runs.append((f"{q.name} ({label})", q, {**params, **extra}))
        for name, q, params in runs:
            if params is None:
                results[name] = {"skipped": f"no value known for its parameters {q.param_names}"}
                continue
            try:
                rows, cold, times = time_query(con, q.name, params, repeats)
            except Exception as exc:  # report, don't stop the other queries
                results[name] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
                continue
            results[name] = {
                "rows": rows, "cold_ms": cold * 1e3, "times_ms": [t * 1e3 for t in times],
                "params": {k: str(v) for k, v in params.items()},
            }  # fmt: skip
    out["seconds"] = time.perf_counter() - t0
    out["extra"]["queries"] = results


def case_publish_daily(spec: dict, out: dict) -> None:
    """The publish after the benchmark's daily run (:mod:`bench.publish_daily`): seconds of
    the daily publish, in place; every step in ``extra``."""
    from bench.publish_daily import measure

    steps = measure(
        Path(spec["history"]), Path(spec["workdir"]) / "publish", int(spec["n_symbols"]),
        say=lambda line: None,
    )  # fmt: skip
    out["seconds"] = steps["daily_publish_s"]
    out["extra"].update(steps)


CASES = {
    "dagster_backfill": case_dagster_backfill,
    "dagster_create_run": case_dagster_create_run,
    "demo": case_demo,
    "bare_backfill": case_bare_backfill,
    "any_order_backfill": case_any_order_backfill,
    "engine": case_engine,
    "daily": case_daily,
    "publish_daily": case_publish_daily,
    "history": case_history,
    "queries": case_queries,
}


def main(argv: list[str]) -> int:
    """Run the case described by the JSON file ``argv[0]``; write the result JSON to the
    spec's ``result_path``."""
    spec = json.loads(Path(argv[0]).read_text())
    Path(spec["workdir"]).mkdir(parents=True, exist_ok=True)
    out: dict = {"case": spec["case"], "ok": False, "seconds": None, "extra": {}}
    try:
        CASES[spec["case"]](spec, out)
        out["ok"] = True
    except Exception:
        out["error"] = traceback.format_exc()[-4000:]
    out["peak_rss_mb"] = peak_rss_mb()
    Path(spec["result_path"]).write_text(json.dumps(out, default=str))
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
