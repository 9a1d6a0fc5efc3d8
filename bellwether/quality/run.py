"""Running the checks for a session range and keeping their per-session results.

:func:`run_raw_checks` evaluates every check of ``raw/daily_bars`` (the GX suite and the
polars checks of :mod:`bellwether.quality.raw_checks`) over ``first..last`` and replaces
those sessions' rows in ``dq.check_results``; :func:`run_mart_checks` does the same for
the marts. Both return the results frame for Dagster's check results and metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb
import polars as pl

from bellwether.calendar import previous_session, sessions_between
from bellwether.quality import raw_checks
from bellwether.quality.docs import check_description
from bellwether.quality.results import Outcome, name_rows, results_frame
from bellwether.sqlfiles import load_sql
from bellwether.universe import UniverseConfig
from bellwether.warehouse import Warehouse

RAW_ASSET = "raw/daily_bars"

#: Every check of raw/daily_bars (freshness is recorded separately, on the latest session)
#: with its description, generated from docs/QUALITY.md (severity, what it does, scope, rule).
RAW_CHECKS: dict[str, str] = {
    name: check_description(name)
    for name in (
        "gx_schema",
        "gx_unique_key",
        "gx_price_sanity",
        "rejected_rows",
        "completeness_index_etf",
        "completeness_stocks",
        "zero_volume_index",
        "step_change",
        "etf_tracking",
        "restatement",
    )
}
#: The checks of the marts (coverage on per-ticker marts, breadth_identity on breadth).
MART_CHECKS: dict[str, str] = {
    name: check_description(name, mart=True)
    for name in ("unique_key", "coverage", "breadth_identity")
}


@dataclass
class CheckRun:
    """Results of one check run, and the GX Data Docs page when GX ran."""

    results: pl.DataFrame
    docs_page: str | None = None


def _query(con: duckdb.DuckDBPyConnection, name: str, params: Sequence) -> pl.DataFrame:
    return con.sql(load_sql(name), params=list(params)).pl()


def store_results(
    con: duckdb.DuckDBPyConnection, results: pl.DataFrame, run_id: str | None, now: datetime
) -> None:
    """Replace these (session, asset, check) rows in ``dq.check_results``."""
    rows = results.with_columns(
        pl.lit(run_id, dtype=pl.String).alias("run_id"), pl.lit(now).alias("checked_at")
    )
    con.register("incoming_results", rows.to_arrow())
    con.execute(load_sql("dq/replace_check_results"))
    con.unregister("incoming_results")


def run_raw_checks(
    wh: Warehouse,
    first: date,
    last: date,
    universe: UniverseConfig,
    *,
    ingest_id: str | None = None,
    run_id: str | None = None,
    now: datetime | None = None,
    use_gx: bool = True,
) -> CheckRun:
    """Every raw check on sessions ``first..last``; results stored in ``dq.check_results``."""
    from bellwether.quality import gx_suite

    now = now or datetime.now(UTC)
    sessions = sessions_between(first, last)
    prev = previous_session(first)
    with wh.connect() as con:
        bars_with_prev = _query(con, "dq/read_check_inputs_bars", [prev, last])
        rejected = _query(con, "dq/read_rejected", [ingest_id or ""])
        actions = _query(con, "dq/read_actions", [first, last])
        restated = _query(con, "dq/read_restatements", [ingest_id or ""])
        latest = con.execute(load_sql("dq/latest_landed_session")).fetchall()[0][0]
    bars = bars_with_prev.filter(pl.col("session_date") >= first)
    outcomes: list[Outcome] = []
    docs_page = None
    if use_gx:
        gx = gx_suite.validate_bars(bars, sessions, run_name=run_id or "bellwether")
        outcomes += gx.outcomes
        docs_page = gx.docs_page
    outcomes += raw_checks.check_rejected(sessions, rejected)
    outcomes += raw_checks.check_completeness(sessions, bars, universe)
    outcomes += raw_checks.check_zero_volume_index(sessions, bars)
    outcomes += raw_checks.check_step_change(sessions, bars_with_prev, actions)
    outcomes += raw_checks.check_etf_tracking(sessions, bars_with_prev, universe.etf_index_tracking)
    outcomes += raw_checks.check_restatements(sessions, restated)
    freshness = raw_checks.check_freshness(latest, now)
    results = results_frame(RAW_ASSET, outcomes)
    with wh.transaction() as con:
        store_results(con, results, run_id, now)
        store_results(con, results_frame(RAW_ASSET, [freshness]), run_id, now)
    return CheckRun(pl.concat([results, results_frame(RAW_ASSET, [freshness])]), docs_page)


def run_mart_checks(
    wh: Warehouse,
    asset: str,
    first: date,
    last: date,
    *,
    run_id: str | None = None,
    now: datetime | None = None,
) -> CheckRun:
    """The checks of one mart asset (``marts/<name>``) on sessions ``first..last``."""
    now = now or datetime.now(UTC)
    sessions = sessions_between(first, last)
    with wh.connect() as con:
        dups = _query(con, "dq/mart_key_duplicates", [first, last]).filter(pl.col("asset") == asset)
        coverage = (
            _query(con, "dq/mart_coverage", [first, last]) if asset in PER_TICKER_MARTS else None
        )
        identity = (
            _query(con, "dq/breadth_identity", [first, last]) if asset == "marts/breadth" else None
        )
    outcomes: list[Outcome] = []
    for s in sessions:
        d = dups.filter(pl.col("session_date") == s)["key"].to_list()
        outcomes.append(
            Outcome(s, "unique_key", not d, "every key once" if not d else f"duplicate keys: {name_rows(d)}",
                    observed=str(len(d)), expected="0", failing_tickers=d)
        )  # fmt: skip
        if coverage is not None:
            row = coverage.filter(pl.col("session_date") == s)
            missing = list(row[asset][0] or []) if row.height else []
            outcomes.append(
                Outcome(s, "coverage", not missing,
                        "every checked bar has its mart rows" if not missing else f"bars without mart rows: {name_rows(missing)}",
                        observed=str(len(missing)), expected="0", failing_tickers=missing)
            )  # fmt: skip
        if identity is not None:
            rows = identity.filter(pl.col("session_date") == s)
            bad = rows.filter(
                (
                    pl.col("advancers") + pl.col("decliners") + pl.col("unchanged")
                    != pl.col("members_compared")
                )
                | (pl.col("members_compared") != pl.col("members_with_both_bars"))
            )
            named = [
                f"{u}: {a}+{d}+{n} vs {m} (recount {r})" for u, _, a, d, n, m, r in bad.iter_rows()
            ]
            outcomes.append(
                Outcome(s, "breadth_identity", bad.is_empty(),
                        "advancers + decliners + unchanged = members with both bars" if bad.is_empty() else name_rows(named),
                        observed=str(bad.height), expected="0")
            )  # fmt: skip
    results = results_frame(asset, outcomes)
    with wh.transaction() as con:
        store_results(con, results, run_id, now)
    return CheckRun(results)


PER_TICKER_MARTS = ("marts/daily_returns", "marts/streaks", "marts/technicals")
