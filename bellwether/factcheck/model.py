"""Claims found in a recap, the evidence behind a verdict, verdicts and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

CONFIRMED = "confirmed"
WRONG = "wrong"
OTHER_READING = "matches another reading"
NOT_IN_WAREHOUSE = "not in the warehouse"
UNCHECKABLE = "not a claim we can check"
VERDICTS = (CONFIRMED, WRONG, OTHER_READING, NOT_IN_WAREHOUSE, UNCHECKABLE)

#: Claim kinds (``Claim.kind``), in the order the report explains them.
KINDS = {
    "level": "a close or level",
    "move_pct": "a day's move in %",
    "move_points": "a day's move in points",
    "period_return": "a return over a period (since, from-to, YTD, MTD, this week)",
    "streak": "an up or down streak (Nth straight session)",
    "relative_run": "a relative run (beat / lagged another index N sessions in a row)",
    "record": "a record close",
    "record_count": "the number of record closes this year",
    "high_52w": "the 52-week high or low, or the distance from it",
    "sma": "a moving average level or the close against it",
    "rsi": "an RSI level or threshold",
    "volume": "volume, average volume or volume against its average",
    "volatility": "realised volatility",
    "breadth": "advancers, decliners, share of members above an average",
    "sector": "a sector leader or laggard and its move",
    "forecast": "a forecast or expectation (not a fact the warehouse holds)",
    "unrecognized": "a figure no rule recognised",
}


@dataclass
class Claim:
    """One checkable statement found in the text.

    ``value`` is the claimed figure in display units (percent for ``pct``: 1.29 means 1.29%,
    shares for ``shares``, sessions for ``count``) or a boolean for yes/no claims; ``decimals``
    is its published precision. ``measure`` names what is claimed within the kind (e.g.
    ``close``, ``sma``, ``pct_from_high``, ``advancers``).
    """

    kind: str
    measure: str
    quote: str
    start: int
    end: int
    sentence: str
    subject: str | None = None  # ticker
    subject_text: str | None = None
    benchmark: str | None = None
    value: Any = None
    unit: str = ""
    decimals: int = 0
    scale: float = 1.0  # the magnitude written ("35.1M": 1e6): precision is in these units
    comparator: str = "="  # '=', '>', '<', '~' (hedged: about/nearly)
    direction: int | None = None  # +1 up, -1 down for moves and streaks
    window: int | None = None  # 20/50/200 for averages, 63 for volume averages
    on: date | None = None  # the session the claim is about
    on_text: str | None = None  # how the text named that date
    period: tuple[str, date | None, date | None] | None = None  # (kind, start, end)
    run: str | None = None  # for "longest since": the run's kind (up/down, outperf/underperf)
    unheld: str | None = None  # a name the warehouse does not hold (why not in the warehouse)
    uncheckable: str | None = None  # why the claim cannot be checked


@dataclass
class Evidence:
    """A cell of a named query: ``query`` run with ``params``, the row ``key``, the ``column``."""

    query: str
    params: dict[str, Any]
    key: dict[str, Any]
    column: str
    value: Any

    def footnote(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.params.items())
        row = ", ".join(f"{k}={v}" for k, v in self.key.items()) or "the only row"
        return f"query {self.query} ({params}), row {row}, column {self.column}"


@dataclass
class Verdict:
    """The verdict on one claim, the warehouse value, the difference and where it came from."""

    claim: Claim
    verdict: str
    explanation: str
    evidence: Evidence | None = None
    warehouse: str | None = None  # the warehouse value, formatted like the claim
    difference: str | None = None
    reading: str | None = None  # for OTHER_READING: which reading matches
    reading_evidence: Evidence | None = None  # the cell of that reading

    def sources(self) -> list[Evidence]:
        return [e for e in (self.evidence, self.reading_evidence) if e is not None]


@dataclass
class Report:
    """The fact-check of one recap."""

    session: date
    date_source: str  # 'given' or 'inferred from "..."'
    verdicts: list[Verdict] = field(default_factory=list)
    figures_seen: int = 0
    figures_extracted: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def extraction_rate(self) -> float | None:
        if self.figures_seen == 0:
            return None
        return self.figures_extracted / self.figures_seen

    def counts(self) -> dict[str, int]:
        out = {v: 0 for v in VERDICTS}
        for v in self.verdicts:
            out[v.verdict] += 1
        return out

    @property
    def checkable(self) -> int:
        return sum(1 for v in self.verdicts if v.verdict != UNCHECKABLE)
