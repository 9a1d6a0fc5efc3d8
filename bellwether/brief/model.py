"""Figures, sentences and the brief they make up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class Figure:
    """One number (or date) in the brief and exactly where it came from.

    ``query`` and ``params`` re-run the named query; ``key`` selects the row (column ->
    value; empty for a one-row result); ``column`` is the cell. ``unit`` drives formatting:
    ``pct`` (a fraction shown as a signed percent), ``pct_abs`` (unsigned), ``points``
    (percent 0-100), ``level``, ``count``, ``ordinal`` (4th), ``ratio`` (shown as 0.62x),
    ``rsi``, ``date``, ``text``.
    """

    query: str
    params: dict[str, Any]
    key: dict[str, Any]
    column: str
    value: Any
    unit: str
    number: int = 0

    def formatted(self) -> str:
        v = self.value
        if v is None:
            return "n/a"
        match self.unit:
            case "pct":
                return f"{v * 100:+.2f}%"
            case "pct_abs":
                return f"{abs(v) * 100:.2f}%"
            case "points":
                return f"{v:.1f}%"
            case "level":
                return f"{v:,.2f}"
            case "count":
                return f"{int(v):,}"
            case "ratio":
                return f"{v:.2f}x"
            case "rsi":
                return f"{v:.1f}"
            case "date":
                return v.isoformat() if isinstance(v, date) else str(v)
            case "ordinal":
                n = int(v)
                suffix = (
                    "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
                )
                return f"{n}{suffix}"
        return str(v)


#: A sentence is text interleaved with figures.
Part = str | Figure


@dataclass
class Section:
    """A titled group of sentences, or the reason it has none."""

    title: str
    sentences: list[list[Part]] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)
    chart: str | None = None  # chart name (file written next to the report)
    table_header: list[str] = field(default_factory=list)
    table: list[list[Part]] = field(default_factory=list)


@dataclass
class Brief:
    """A market brief for one session."""

    session: date
    as_of: date
    sections: list[Section]
    figures: list[Figure]
    charts: dict[str, bytes] = field(default_factory=dict)
    status: str = "ok"  # 'ok', 'partial' (some figures withheld) or 'missing' (no data)
