"""Catch-up after downtime: the window of recent sessions, gaps, and the command that fills one.

Pure date logic shared by the schedule (``orchestration.schedules``, which reads what Dagster
has materialized) and the ``freshness`` check (``checks.raw_checks``, which reads
what the warehouse holds):

* the *catch-up window* is the last ``N`` sessions ending at the latest closed session
  (``N`` = ``$BELLWETHER_CATCHUP_SESSIONS``, default 10, :func:`bellwether.settings.catchup_sessions`);
  a session of the window that is missing is requested again at every tick;
* a *gap older than the window* (between the first session ever landed and the window) is
  never filled automatically, because a long-forgotten hole may be deliberate and a decade's
  backfill should not start by itself: it is named, as ranges, with the command that fills it.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from bellwether.calendar import sessions_between

#: How many gap ranges a message names before it says "and N more".
NAMED_RANGES = 5


def window_sessions(end: date, n: int) -> list[date]:
    """The last ``n`` sessions ending at ``end`` (inclusive; ``end`` may be a non-session)."""
    if n < 1:
        raise ValueError(f"a catch-up window holds at least one session, not {n}")
    # n sessions span fewer than 2n + 10 calendar days (weekends and at most a few holidays)
    return sessions_between(end - timedelta(days=2 * n + 10), end)[-n:]


def gap_ranges(missing: Iterable[date]) -> list[tuple[date, date]]:
    """Missing sessions as ``(first, last)`` ranges of sessions consecutive in the calendar."""
    days = sorted(set(missing))
    if not days:
        return []
    position = {s: i for i, s in enumerate(sessions_between(days[0], days[-1]))}
    ranges: list[tuple[date, date]] = []
    start = prev = days[0]
    for d in days[1:]:
        if position[d] != position[prev] + 1:
            ranges.append((start, prev))
            start = d
        prev = d
    ranges.append((start, prev))
    return ranges


def older_gaps(present: Iterable[date], window_start: date) -> list[tuple[date, date]]:
    """Sessions from the first ``present`` one up to (excluding) ``window_start`` that are
    not present, as ranges. Nothing is a gap before the first present session."""
    present = set(present)
    if not present:
        return []
    first = min(present)
    before = sessions_between(first, window_start - timedelta(days=1))
    return gap_ranges(s for s in before if s not in present)


def fill_command(first: date, last: date) -> str:
    """The command (README, "The UI") that lands ``first..last`` as one run of every asset,
    in the Dagster instance of this process (``DAGSTER_HOME``; the project's by default)."""
    home = os.environ.get("DAGSTER_HOME")
    instance = shlex.quote(home) if home else "$PWD/dagster_home"
    return (
        f"DAGSTER_HOME={instance} .venv/bin/dagster asset materialize "
        f"-m orchestration.definitions --select '*' --partition-range '{first}...{last}'"
    )


def describe_ranges(ranges: Sequence[tuple[date, date]]) -> str:
    """``"2025-11-03..2025-11-07 (5 sessions), 2025-11-12"``, the first few named."""

    def one(first: date, last: date) -> str:
        if first == last:
            return str(first)
        return f"{first}..{last} ({len(sessions_between(first, last))} sessions)"

    named = ", ".join(one(a, b) for a, b in ranges[:NAMED_RANGES])
    more = len(ranges) - NAMED_RANGES
    return named if more <= 0 else f"{named} ... and {more} more range(s)"


def describe_older_gaps(ranges: Sequence[tuple[date, date]], window: int) -> str:
    """What the schedule and the freshness check say about gaps older than the window."""
    if not ranges:
        return ""
    count = sum(len(sessions_between(a, b)) for a, b in ranges)
    commands = "; ".join(f"`{fill_command(a, b)}`" for a, b in ranges[:NAMED_RANGES])
    return (
        f"{count} session(s) older than the catch-up window ({window} sessions) are missing and "
        f"are not filled automatically: {describe_ranges(ranges)}. Fill with Materialize all… → "
        f"Launch backfill on the range, or {commands}"
    )
