"""The NYSE session calendar (exchange_calendars ``XNYS``).

A *session* is a date on which NYSE trades (weekends, holidays and unscheduled closures
such as 2025-01-09 are not sessions; half days are). Every date in the warehouse is a
session date. A session is *closed* at ``close + margin``: its close time as published by
the exchange calendar (16:00 New York, 13:00 on half days) plus a settling margin; no bar
is ever landed for a session that is not closed.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, timedelta
from functools import cache

import exchange_calendars as xcals
import pandas as pd

CALENDAR_NAME = "XNYS"
CALENDAR_START = date(1990, 1, 1)
#: First session of the partition set: history is backfillable from here.
FIRST_SESSION = date(1990, 1, 2)
#: Time after the published close before a session counts as closed.
CLOSE_MARGIN = timedelta(minutes=60)


@cache
def xnys() -> xcals.ExchangeCalendar:
    """The XNYS calendar from 1990 to exchange_calendars' default end (about a year ahead)."""
    return xcals.get_calendar(CALENDAR_NAME, start=CALENDAR_START.isoformat())


@cache
def _session_index() -> pd.DatetimeIndex:
    return xnys().sessions


def _as_date(d: date | str) -> date:
    if isinstance(d, datetime):
        return d.date()
    if isinstance(d, date):
        return d
    return date.fromisoformat(d)


def is_session(d: date | str) -> bool:
    """True if ``d`` is an NYSE trading session."""
    d = _as_date(d)
    cal = xnys()
    if not (cal.first_session.date() <= d <= cal.last_session.date()):
        return False
    return bool(cal.is_session(pd.Timestamp(d)))


@cache
def _session_dates() -> tuple[date, ...]:
    """Every session of the calendar as a ``date``, once per process (a slice of it is a
    list copy; converting pandas timestamps per call cost about 14 ms a call)."""
    return tuple(ts.date() for ts in _session_index())


def sessions_between(start: date | str, end: date | str) -> list[date]:
    """All sessions ``start <= s <= end`` (either bound may be a non-session)."""
    start, end = _as_date(start), _as_date(end)
    if start > end:
        return []
    dates = _session_dates()
    return list(dates[bisect_left(dates, start) : bisect_right(dates, end)])


def sessions_before(d: date | str, n: int) -> date:
    """The session ``n`` sessions before the last session on or before ``d`` (that session
    itself for ``n = 0``); the calendar's first session when there are fewer than ``n``."""
    dates = _session_dates()
    return dates[max(0, bisect_right(dates, _as_date(d)) - 1 - n)]


class SessionRangeError(ValueError):
    """A requested session range that is reversed, empty or outside the XNYS calendar."""


def sessions_in_range(start: date | str, end: date | str) -> list[date]:
    """The sessions of a range someone asked for (a run, a CLI argument), or a clear error.

    Unlike :func:`sessions_between` (a query over the calendar), a request must be sensible:
    ``start <= end``, both inside the calendar (:data:`FIRST_SESSION` to the last session
    exchange_calendars publishes, about a year ahead) and at least one session in between.
    """
    bounds = []
    for d in (start, end):
        try:
            bounds.append(_as_date(d))
        except (TypeError, ValueError):
            raise SessionRangeError(f"invalid date {d!r}: expected YYYY-MM-DD") from None
    start, end = bounds
    last = xnys().last_session.date()
    if start > end:
        raise SessionRangeError(f"invalid session range {start}..{end}: the start is after the end")
    if start < FIRST_SESSION or end > last:
        raise SessionRangeError(
            f"session range {start}..{end} is outside the session calendar "
            f"({FIRST_SESSION}..{last}, XNYS); ask for sessions inside it"
        )
    sessions = sessions_between(start, end)
    if not sessions:
        raise SessionRangeError(f"no NYSE session in {start}..{end} (weekend or holiday)")
    return sessions


def previous_session(d: date | str) -> date:
    """The last session strictly before ``d``."""
    d = _as_date(d)
    idx = _session_index()
    pos = idx.searchsorted(pd.Timestamp(d), side="left")
    if pos == 0:
        raise ValueError(f"no session before {d} in the XNYS calendar (starts {idx[0].date()})")
    return idx[pos - 1].date()


def session_close(d: date | str) -> datetime:
    """Published close of session ``d`` as an aware UTC datetime (13:00 NY on half days)."""
    d = _as_date(d)
    if not is_session(d):
        raise ValueError(f"{d} is not an XNYS session")
    return xnys().session_close(pd.Timestamp(d)).to_pydatetime().astimezone(UTC)


def is_closed(d: date | str, now: datetime, margin: timedelta = CLOSE_MARGIN) -> bool:
    """True once ``now`` is at least ``margin`` past the close of session ``d``."""
    return now >= session_close(d) + margin


def last_closed_session(now: datetime, margin: timedelta = CLOSE_MARGIN) -> date:
    """The latest session that is closed (close + margin) at ``now`` (an aware datetime)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = now.astimezone(UTC).date()
    candidates = sessions_between(today - timedelta(days=10), today)
    for s in reversed(candidates):
        if is_closed(s, now, margin):
            return s
    return previous_session(candidates[0] if candidates else today)


def weekday_closures(start: date | str, end: date | str) -> list[date]:
    """Weekdays in ``[start, end]`` that are not sessions (holidays, unscheduled closures)."""
    start, end = _as_date(start), _as_date(end)
    sessions = set(sessions_between(start, end))
    out = []
    d = start
    while d <= end:
        if d.weekday() < 5 and d not in sessions:
            out.append(d)
        d += timedelta(days=1)
    return out


def half_days(start: date | str, end: date | str) -> list[date]:
    """Sessions in ``[start, end]`` with an early (13:00 New York) close."""
    start, end = _as_date(start), _as_date(end)
    early = xnys().early_closes
    return [ts.date() for ts in early if start <= ts.date() <= end]
