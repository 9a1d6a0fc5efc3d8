"""Dagster partitions: one per NYSE (XNYS) session, keyed by the session date.

A ``TimeWindowPartitionsDefinition`` keeps the UI's, backfills' and schedules' time
semantics. The design, and why:

* A partition appears when its *window ends*. With one cron tick per session, Friday's
  window would run until Monday's tick, so Friday's partition would only appear on Monday.
  Instead there is one tick *every day* and the non-sessions are excluded: weekends with
  the cron exclusion ``0 0 * * 0,6`` and holidays/closures (2025-01-09, Good Friday, ...)
  with datetimes. Dagster reads *strings* in ``exclusions`` as cron expressions, so holiday
  dates are passed as datetimes, never as strings.
* Ticks are at midnight of the fixed-offset zone ``Etc/GMT-2`` (that is UTC+2: POSIX
  inverts the sign), which is 18:00 New York in summer (EDT) and 17:00 in winter (EST).
  Session D's window is [D 00:00, D+1 00:00) there, so D becomes a partition on D's own
  evening, one to two hours after the 16:00 close (three to four after a 13:00 half-day
  close), and never earlier: no future or unfinished session is ever a partition.
* A key is the session date (``%Y-%m-%d``). The set starts at the configured history
  start (``BELLWETHER_HISTORY_START``, default 2024-01-02, the bundled sample's first
  session; see :func:`bellwether.settings.history_start`), so the UI's partition counts,
  "missing" partitions and "% filled" describe the history the project keeps, not every
  session since 1990. The closures excluded are those from that start on.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache

import dagster as dg

from bellwether.calendar import (
    FIRST_SESSION,
    SessionRangeError,
    sessions_between,
    weekday_closures,
    xnys,
)
from bellwether.settings import history_start

PARTITION_TIMEZONE = "Etc/GMT-2"
PARTITION_CRON = "0 0 * * *"
WEEKEND_EXCLUSION = "0 0 * * 0,6"


def first_partition_session(start: date | None = None) -> date:
    """The first session on or after ``start`` (default: the configured history start)."""
    start = start or history_start()
    last = xnys().last_session.date()
    if not FIRST_SESSION <= start <= last:
        raise ValueError(
            f"history start {start} is outside the session calendar ({FIRST_SESSION}..{last}); "
            "set BELLWETHER_HISTORY_START to a date inside it"
        )
    return sessions_between(start, start + timedelta(days=14))[0]


def session_partitions(start: date | None = None) -> dg.TimeWindowPartitionsDefinition:
    """The XNYS session partitions from ``start`` (default: the configured history start)."""
    return _session_partitions(first_partition_session(start))


@cache
def _session_partitions(first: date) -> dg.TimeWindowPartitionsDefinition:
    closures = weekday_closures(first, xnys().last_session.date())
    return dg.TimeWindowPartitionsDefinition(
        cron_schedule=PARTITION_CRON,
        timezone=PARTITION_TIMEZONE,
        fmt="%Y-%m-%d",
        start=datetime(first.year, first.month, first.day),
        end_offset=0,
        exclusions=[WEEKEND_EXCLUSION, *(datetime(d.year, d.month, d.day) for d in closures)],
    )


def keys_to_sessions(keys: list[str]) -> list[date]:
    """Partition keys -> session dates, sorted; no key (a reversed range) is a clear error."""
    if not keys:
        raise SessionRangeError(
            "the run has no partition: the requested range is empty (is its start after its end?)"
        )
    return sorted(date.fromisoformat(k) for k in keys)
