"""Dates in a recap resolved to NYSE sessions (``bellwether.calendar``).

A month-day without a year takes the recap's year (the year before when that would put it
after the recap); a weekday is the latest such day on or before the recap's session;
"yesterday" is the session before. A date that is not a session is kept as written and
flagged: the checker says so instead of quietly moving it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bellwether import calendar
from bellwether.factcheck import rules


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    day: date
    explicit_year: bool = False

    @property
    def is_session(self) -> bool:
        return calendar.is_session(self.day)


def _resolve(m: re.Match, recap: date) -> tuple[date, bool] | None:
    g = m.groupdict()
    if g.get("iso"):
        try:
            return date.fromisoformat(g["iso"]), True
        except ValueError:
            return None
    if g.get("relative"):
        if g["relative"].lower() == "today":
            return recap, False
        return calendar.previous_session(recap), False
    if g.get("month"):
        month = rules.MONTHS[g["month"].lower().rstrip(".")]
        day = int(g["day"])
        year = int(g["year"]) if g.get("year") else recap.year
        try:
            d = date(year, month, day)
        except ValueError:
            return None
        if not g.get("year") and (d - recap).days > 31:
            try:  # "December 31" in a January recap is last year's
                d = date(year - 1, month, day)
            except ValueError:
                return None
        return d, bool(g.get("year"))
    if g.get("weekday"):
        wd = rules.WEEKDAYS[g["weekday"].lower()]
        return recap - timedelta(days=(recap.weekday() - wd) % 7), False
    return None


def find_dates(text: str, recap: date) -> list[DateMention]:
    """Every date mention in ``text`` resolved against the recap's date, left to right."""
    out: list[DateMention] = []
    for pattern in rules.DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(d.start < m.end() and m.start() < d.end for d in out):
                continue
            resolved = _resolve(m, recap)
            if resolved is not None:
                out.append(DateMention(m.start(), m.end(), m.group(0), resolved[0], resolved[1]))
    return sorted(out, key=lambda d: d.start)


def infer_recap_date(text: str) -> tuple[date, str] | None:
    """The recap's date from its text: the first date written with a year (or ISO) that
    does not bound a period ("since 2025-11-03", "from ... to ..."); the first date at all
    when every one does."""
    found = []
    for pattern in rules.DATE_PATTERNS[:3]:
        for m in pattern.finditer(text):
            g = m.groupdict()
            if g.get("iso") or g.get("year"):
                resolved = _resolve(m, date(2100, 1, 1))
                if resolved is not None:
                    before = text[max(0, m.start() - 20) : m.start()]
                    bound = bool(
                        rules.SINCE.search(before)
                        or rules.PERIOD_START.search(before)
                        or rules.PERIOD_END.search(before)
                    )
                    found.append((bound, m.start(), resolved[0], m.group(0)))
    if not found:
        return None
    _, _, day, written = min(found)
    return day, written


def session_on_or_before(d: date) -> date:
    return d if calendar.is_session(d) else calendar.previous_session(d)


def describe_non_session(d: date) -> str:
    """'2026-01-25 is a Sunday', '2025-12-25 is an NYSE holiday'."""
    cal = calendar.xnys()
    if not cal.first_session.date() <= d <= cal.last_session.date():
        return f"{d.isoformat()} is outside the NYSE session calendar (exchange_calendars XNYS)"
    if d.weekday() >= 5:
        return f"{d.isoformat()} is a {d.strftime('%A')}, not an NYSE session"
    return f"{d.isoformat()} ({d.strftime('%A')}) is an NYSE holiday or closure, not a session"
