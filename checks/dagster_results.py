"""Per-session check results -> Dagster ``AssetCheckResult`` s.

Dagster records a range run's check once, without a partition, so each check becomes one
result over the run's sessions: it passes when every session passed, and a failure has
severity ERROR when any session failed with a blocking (error) outcome, WARN otherwise.
The sessions that failed, their messages and the Data Docs page are in the metadata; the
per-session truth is in ``dq.check_results``. Blocking happens per session, in the marts'
quality gate (withheld rows and sessions), so the checks are not Dagster-blocking: a bad
session in a 20-year backfill must not stop the other sessions' marts (a Dagster-blocking
check failing with ERROR fails its step, so every session of the range would lose its
marts). Each check's description is generated from docs/QUALITY.md
(:mod:`checks.docs`): its severity and what the severity does.

The Great Expectations checks carry the run's Data Docs page as a ``file://`` URL
(``great_expectations_data_docs``), and, since a browser does not follow a ``file://`` link
from a web page, the validation summarized inline (``great_expectations_summary``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import dagster as dg
import polars as pl

from checks.docs import check_description
from checks.results import summarize

GX_PREFIX = "gx_"


def check_specs(asset_key: list[str], checks: Iterable[str]) -> list[dg.AssetCheckSpec]:
    """One spec per named check of an asset, described as docs/QUALITY.md says."""
    mart = asset_key[0] == "marts"
    return [
        dg.AssetCheckSpec(
            name=name,
            asset=dg.AssetKey(asset_key),
            description=check_description(name, mart=mart),
            # the per-session quality gate blocks (see module doc); recompute is once per run
            # and a mart that differs from a full build must stop what reads it
            blocking=name == "recompute",
        )
        for name in checks
    ]


def gx_summary(results: pl.DataFrame, docs_page: str | None) -> str:
    """The run's Great Expectations validation in Markdown: each GX check's sessions passed
    and failed, the failures' messages, and where the Data Docs page is."""
    gx = results.filter(pl.col("check").str.starts_with(GX_PREFIX))
    lines = [
        f"Great Expectations validated {gx['session_date'].n_unique()} session(s) in one "
        "validation of the suite:",
        "",
    ]
    for s in summarize(gx):
        failed = len(s.failed_sessions)
        state = "passed on every session" if s.passed else f"failed on {failed} session(s)"
        lines.append(f"- `{s.check}`: {state} of {s.sessions}")
        lines += [f"  - {m}" for m in s.messages[:5]]
    if docs_page:
        lines += ["", f"Data Docs page: `{docs_page}`"]
    return "\n".join(lines)


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
        if s.check.startswith(GX_PREFIX):
            metadata["great_expectations_summary"] = dg.MetadataValue.md(
                gx_summary(results, docs_page)
            )
            if docs_page:
                metadata["great_expectations_data_docs"] = dg.MetadataValue.url(
                    Path(docs_page).resolve().as_uri()
                )
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
