"""What the Dagster UI records of the earlier partitions a run rewrote (assets/marts.py)."""

from __future__ import annotations

from datetime import date

import dagster as dg

from assets.marts import REBUILT_EVENTS_LIMIT, _rebuilt_events, _rebuilt_summary
from bellwether.calendar import sessions_between
from bellwether.marts import MartBuild
from bellwether.pipeline import Rebuilt


def build_with(*rebuilt: Rebuilt) -> MartBuild:
    return MartBuild("marts.streaks", date(2026, 1, 2), date(2026, 1, 2), 0, False, None,
                     rebuilt=rebuilt)  # fmt: skip


def rebuilt(sessions: list[date], reason: str) -> Rebuilt:
    return Rebuilt(sessions[0], sessions[-1], 1, reason, sessions[0], sessions[0], tuple(sessions))


def test_a_short_rebuild_gives_each_rewritten_partition_its_materialization():
    sessions = sessions_between(date(2025, 12, 1), date(2025, 12, 31))
    result = build_with(rebuilt(sessions, "bars landed (restatement)"))
    events = _rebuilt_events(dg.AssetKey(["marts", "streaks"]), result, "run-1")
    assert [e.partition for e in events] == [s.isoformat() for s in sessions]
    assert all("bars landed (restatement)" in e.metadata["rebuilt_because"].value for e in events)
    assert _rebuilt_summary(result) == {}


def test_a_whole_history_rebuild_records_its_latest_sessions_and_sums_up_the_rest():
    """A dividend re-basing 25 years: the latest sessions get their own materialization,
    the earlier ones are named as a range on the run's own partition."""
    sessions = sessions_between(date(2001, 1, 2), date(2025, 12, 31))
    result = build_with(rebuilt(sessions, "re-based for SYN1065 dividend 2026-01-02 (applied)"))
    events = _rebuilt_events(dg.AssetKey(["marts", "streaks"]), result, "run-1")
    assert [e.partition for e in events] == [
        s.isoformat() for s in sessions[-REBUILT_EVENTS_LIMIT:]
    ]
    summary = _rebuilt_summary(result)["rebuilt_without_own_event"].value
    earlier = len(sessions) - REBUILT_EVENTS_LIMIT
    assert f"2001-01-02..{sessions[earlier - 1]} ({earlier} sessions)" in summary
    assert "re-based for SYN1065 dividend" in summary
    assert "marts.rebuild_log" in summary
