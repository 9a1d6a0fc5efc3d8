"""Per-session check results -> Dagster ``AssetCheckResult`` s.

Dagster records a range run's check once, without a partition, so each check becomes one
result over the run's sessions: it passes when every session passed, and a failure has
severity ERROR when any session failed with a blocking (error) outcome, WARN otherwise.
The sessions that failed, their messages and the Data Docs page are in the metadata; the
per-session truth is in ``dq.check_results``. Blocking happens per session, in the marts'
quality gate (withheld rows and sessions), so the checks are not Dagster-blocking: a bad
session in a 20-year backfill must not stop the other sessions' marts.
"""

from __future__ import annotations

import dagster as dg
import polars as pl

from bellwether.quality.results import summarize


def check_specs(asset_key: list[str], checks: dict[str, str]) -> list[dg.AssetCheckSpec]:
    """One spec per named check of an asset."""
    return [
        dg.AssetCheckSpec(name=name, asset=dg.AssetKey(asset_key), description=text)
        for name, text in checks.items()
    ]


def check_results(results: pl.DataFrame, docs_page: str | None = None) -> list[dg.AssetCheckResult]:
    """One AssetCheckResult per check in ``results`` (see module doc)."""
    out = []
    for s in summarize(results):
        metadata: dict = {
            "sessions_checked": s.sessions,
            "sessions_failed": len(s.failed_sessions),
            "failed_sessions": dg.MetadataValue.json(s.failed_sessions[:200]),
            "failures": dg.MetadataValue.md("\n".join(f"- {m}" for m in s.messages) or "none"),
            "query": "sql/queries/failed_checks.sql",
        }
        if docs_page:
            metadata["great_expectations_data_docs"] = dg.MetadataValue.path(docs_page)
        out.append(
            dg.AssetCheckResult(
                check_name=s.check,
                passed=s.passed,
                severity=dg.AssetCheckSeverity.ERROR
                if s.blocking_failure
                else dg.AssetCheckSeverity.WARN,
                metadata=metadata,
            )
        )
    return out
