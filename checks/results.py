"""Check results: one row per (session, asset, check), and their Dagster summary."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

RESULT_SCHEMA: dict[str, pl.DataType] = {
    "session_date": pl.Date(),
    "asset": pl.String(),
    "check": pl.String(),
    "severity": pl.String(),  # 'error' blocks downstream, 'warn' does not
    "scope": pl.String(),  # 'row' (names failing tickers) or 'session'
    "passed": pl.Boolean(),
    "observed": pl.String(),
    "expected": pl.String(),
    "message": pl.String(),
    "failing_tickers": pl.List(pl.String()),
}

#: How many failing rows a message names before it says "and N more".
NAMED_ROWS = 12


def name_rows(items: Iterable[str]) -> str:
    """``"A, B, C"`` or ``"A, B, ... and 30 more"``."""
    items = list(items)
    head = ", ".join(items[:NAMED_ROWS])
    return head if len(items) <= NAMED_ROWS else f"{head} ... and {len(items) - NAMED_ROWS} more"


@dataclass
class Outcome:
    """One check's outcome on one session."""

    session_date: date
    check: str
    passed: bool
    message: str
    severity: str = "error"
    scope: str = "session"
    observed: str | None = None
    expected: str | None = None
    failing_tickers: list[str] = field(default_factory=list)


def results_frame(asset: str, outcomes: Iterable[Outcome]) -> pl.DataFrame:
    """Outcomes of one asset's checks as a :data:`RESULT_SCHEMA` frame."""
    rows = [
        {
            "session_date": o.session_date,
            "asset": asset,
            "check": o.check,
            "severity": o.severity,
            "scope": o.scope,
            "passed": o.passed,
            "observed": o.observed,
            "expected": o.expected,
            "message": o.message,
            "failing_tickers": sorted(o.failing_tickers),
        }
        for o in outcomes
    ]
    return pl.DataFrame(rows, schema=RESULT_SCHEMA)


@dataclass(frozen=True)
class CheckSummary:
    """A check over a run's sessions, as Dagster shows it."""

    check: str
    passed: bool
    blocking_failure: bool
    sessions: int
    failed_sessions: list[str]
    messages: list[str]


def summarize(results: pl.DataFrame) -> list[CheckSummary]:
    """Collapse per-session results to one summary per check (for Dagster check results)."""
    out = []
    for (check,), group in results.sort("session_date").group_by("check", maintain_order=True):
        failed = group.filter(~pl.col("passed"))
        out.append(
            CheckSummary(
                check=check,
                passed=failed.is_empty(),
                blocking_failure=bool((failed["severity"] == "error").any()),
                sessions=group.height,
                failed_sessions=[str(d) for d in failed["session_date"].to_list()],
                messages=[
                    f"{d}: {m}"
                    for d, m in failed.select("session_date", "message")
                    .head(NAMED_ROWS)
                    .iter_rows()
                ],
            )
        )
    return out
