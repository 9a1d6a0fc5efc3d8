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


def test_each_scoped_rebuild_gives_its_own_tickers_causes():
    """A run whose day re-bases one stock for a split and another for a late dividend
    rebuilds each from its own first changed session: each step (its rows in
    ``marts.rebuild_log``, its partitions' ``rebuilt_because``) says why its ticker was
    rebuilt, not every cause queued for the mart."""
    import polars as pl

    from bellwether.invalidation import PENDING_SCHEMA, plan_rebuild
    from bellwether.registry import MARTS

    day = date(2026, 1, 30)
    split = ("MSFT", date(2025, 6, 2), day, "re-based for MSFT split 2026-01-30 (applied)")
    dividend = ("AAPL", date(2025, 11, 3), day, "re-based for AAPL dividend 2025-11-10 (applied)")
    pending = pl.DataFrame(
        [("daily_returns", t, f, last, why, None, None, False) for t, f, last, why in (split, dividend)],
        schema=PENDING_SCHEMA,
        orient="row",
    )  # fmt: skip
    steps = plan_rebuild(
        MARTS["daily_returns"], (day, day), pending, date(2026, 1, 29), frozenset({"MSFT", "AAPL", "SPY"})
    )  # fmt: skip
    by_tickers = {s.tickers: (s.reason, s.changed_first) for s in steps}
    assert by_tickers == {
        frozenset({"MSFT"}): (split[3], split[1]),
        frozenset({"AAPL"}): (dividend[3], dividend[1]),
        frozenset({"SPY"}): ("requested", None),
    }
