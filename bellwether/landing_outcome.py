"""Did a run land what it was asked for? The decision behind a failed or green landing.

A run asked for sessions (its partitions). A session for which the run landed none of its
bars must not count as materialized: the run fails, naming the sessions and why. The
reasons, in the order they are judged:

* **the source ended**: the session is after the last date the source holds (a file or
  the bundled sample, :meth:`bellwether.sources.files.FileSource.data_end`), e.g. the
  schedule's tick for 2026-11-16 on the bundled sample, which ends on 2026-06-29;
* **the source returned nothing**: every symbol came back empty (Yahoo's "no bars
  returned", no rows in the files) for the session's chunk;
* **every symbol failed**: every symbol came back with an error (or had every row
  rejected);
* otherwise the source delivered bars on other sessions of the run but none on this one.

A partial landing (some symbols missing, some sessions thin) is a success: its failures
are named in the log and the metadata (``symbols_failed``), and the quality checks judge
completeness. :func:`sessions_without_bars` and :func:`nothing_landed_message` are pure (no Dagster);
``assets/raw.py`` raises the Dagster failure from them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Protocol

#: Failure reasons that mean "the source had no data" rather than "the request failed".
_NOTHING = re.compile(r"no rows|empty result|no bars|no closed session", re.IGNORECASE)


class _Report(Protocol):  # bellwether.landing.LandingReport, as far as this module reads it
    source: str
    start: date
    end: date
    symbols_requested: list[str]
    symbols_received: list[str]
    failed: dict[str, str]
    rows_per_session: dict[str, int]


def _top_reasons(failed: dict[str, str], n: int = 2) -> str:
    counts = Counter(failed.values()).most_common()
    shown = "; ".join(f"{k} x '{reason}'" for reason, k in counts[:n])
    more = f"; {len(counts) - n} other reasons" if len(counts) > n else ""
    return shown + more


def _reason(session: date, report: _Report | None, source_end: date | None) -> str:
    source = report.source if report else "bar"
    if source_end is not None and session > source_end:
        return f"after the end of the {source} source's data ({source_end})"
    if report is None:
        return "no landing covered it"
    requested = len(report.symbols_requested)
    if not report.symbols_received:
        if report.failed and all(_NOTHING.search(m) for m in report.failed.values()):
            return f"the {source} source returned nothing ({_top_reasons(report.failed, 1)})"
        return f"every one of the {requested} symbols failed ({_top_reasons(report.failed)})"
    return (
        f"the {source} source returned no bar for it ({len(report.symbols_received)} of "
        f"{requested} symbols delivered bars on other sessions of {report.start}..{report.end})"
    )


def sessions_without_bars(
    reports: Sequence[_Report], sessions: Sequence[date], source_end: date | None = None
) -> dict[date, str]:
    """Each requested session for which the landings stored no bar, with the reason."""
    out: dict[date, str] = {}
    for s in sorted(sessions):
        report = next((r for r in reports if r.start <= s <= r.end), None)
        if report is not None and report.rows_per_session.get(str(s), 0) > 0:
            continue
        out[s] = _reason(s, report, source_end)
    return out


def _spans(empty: dict[date, str], sessions: Sequence[date]) -> list[tuple[date, date, int, str]]:
    """Runs of consecutive requested sessions with the same reason: (first, last, n, why)."""
    order = sorted(sessions)
    spans: list[tuple[date, date, int, str]] = []
    previous = None
    for i, s in enumerate(order):
        if s not in empty:
            previous = None
            continue
        why = empty[s]
        if previous is not None and spans and spans[-1][3] == why and previous == i - 1:
            first, _, n, _ = spans[-1]
            spans[-1] = (first, s, n + 1, why)
        else:
            spans.append((s, s, 1, why))
        previous = i
    return spans


def nothing_landed_message(empty: dict[date, str], sessions: Sequence[date]) -> str | None:
    """The run's failure message, or ``None`` when every requested session landed bars."""
    if not empty:
        return None
    lines = []
    for first, last, n, why in _spans(empty, sessions):
        when = str(first) if n == 1 else f"{first}..{last} ({n} sessions)"
        lines.append(f"- {when}: {why}")
    landed = len(sessions) - len(empty)
    head = (
        f"{len(empty)} of the {len(sessions)} requested sessions landed none of their bars, "
        "so this run fails and their partitions are not marked materialized:"
    )
    tail = (
        f"The bars of the other {landed} sessions are stored (raw.daily_bars, raw.ingest_runs); "
        "materialize them again without the empty sessions to build their marts."
        if landed
        else "Nothing was landed (see raw.ingest_runs)."
    )
    hint = ""
    if any("end of the" in why for why in empty.values()):
        hint = (
            " Ask for sessions the source holds, or set BELLWETHER_SOURCE=yfinance for "
            "sessions after the bundled sample."
        )
    return "\n".join([head, *lines, tail + hint])
