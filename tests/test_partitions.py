"""One Dagster partition per NYSE session, appearing on the session's evening, never earlier."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from bellwether.calendar import sessions_between, weekday_closures
from orchestration.partitions import first_partition_session, session_partitions

NY = ZoneInfo("America/New_York")


def keys(start: str, end: str, history_start: date | None = None) -> list[str]:
    return session_partitions(history_start).get_partition_keys_in_range(
        dg.PartitionKeyRange(start, end)
    )


def last_key_at(*args) -> str:
    with dg.partition_loading_context(effective_dt=datetime(*args, tzinfo=NY)):
        return session_partitions().get_last_partition_key()


def test_holidays_and_closures_are_not_partitions():
    # 2025-01-09: national day of mourning for President Carter
    assert keys("2025-01-06", "2025-01-14") == [
        "2025-01-06",
        "2025-01-07",
        "2025-01-08",
        "2025-01-10",
        "2025-01-13",
        "2025-01-14",
    ]
    # Good Friday 2025-04-18
    assert keys("2025-04-16", "2025-04-22") == [
        "2025-04-16",
        "2025-04-17",
        "2025-04-21",
        "2025-04-22",
    ]
    # Juneteenth 2025-06-19
    assert "2025-06-19" not in keys("2025-06-16", "2025-06-20")
    # the September 2001 closure, with a history reaching back that far
    assert keys("2001-09-10", "2001-09-18", date(1990, 1, 2)) == [
        "2001-09-10",
        "2001-09-17",
        "2001-09-18",
    ]


def test_half_days_are_partitions():
    assert "2025-07-03" in keys("2025-07-01", "2025-07-07")  # 13:00 close before Independence Day
    assert "2025-11-28" in keys("2025-11-26", "2025-12-01")  # day after Thanksgiving


def test_fridays_session_exists_on_friday_evening_and_not_before_the_close():
    assert (
        last_key_at(2025, 6, 20, 15, 0) == "2025-06-18"
    )  # Friday afternoon; Thursday was Juneteenth
    assert last_key_at(2025, 6, 20, 18, 1) == "2025-06-20"  # Friday evening (EDT)
    assert last_key_at(2025, 12, 5, 15, 59) == "2025-12-04"
    assert last_key_at(2025, 12, 5, 17, 1) == "2025-12-05"  # Friday evening (EST)
    assert last_key_at(2025, 6, 22, 12, 0) == "2025-06-20"  # the weekend adds nothing


def test_no_future_partition_and_no_key_on_a_holiday_evening():
    assert last_key_at(2025, 4, 18, 20, 0) == "2025-04-17"  # Good Friday evening
    assert last_key_at(2025, 1, 9, 20, 0) == "2025-01-08"
    with dg.partition_loading_context(effective_dt=datetime(2025, 6, 20, 18, 1, tzinfo=NY)):
        assert session_partitions().get_partition_keys()[-1] == "2025-06-20"


def test_history_starts_at_the_bundled_samples_first_session_by_default(monkeypatch):
    monkeypatch.delenv("BELLWETHER_HISTORY_START", raising=False)
    partitions = session_partitions()
    assert partitions.get_first_partition_key() == "2024-01-02"
    assert not partitions.has_partition_key("2023-12-29")
    assert not partitions.has_partition_key("1990-01-02")


def test_the_partition_set_counts_exactly_the_sessions_of_the_window(monkeypatch):
    monkeypatch.delenv("BELLWETHER_HISTORY_START", raising=False)
    evening = datetime(2026, 6, 29, 20, 0, tzinfo=NY)
    with dg.partition_loading_context(effective_dt=evening):
        got = session_partitions().get_partition_keys()
    want = [d.isoformat() for d in sessions_between(date(2024, 1, 2), date(2026, 6, 29))]
    assert got == want  # 2024-01-02..2026-06-29: the bundled sample's sessions, no more
    assert len(got) == 624  # the "Materialized (624)" of make demo


def test_history_start_is_one_setting(monkeypatch):
    monkeypatch.setenv("BELLWETHER_HISTORY_START", "2025-01-01")  # a holiday: next session
    assert first_partition_session() == date(2025, 1, 2)
    partitions = session_partitions()
    assert partitions.get_first_partition_key() == "2025-01-02"
    # closures after the start are still excluded; none before it is listed
    assert "2025-01-09" not in keys("2025-01-06", "2025-01-14", date(2025, 1, 1))
    monkeypatch.setenv("BELLWETHER_HISTORY_START", "1990-01-02")
    assert session_partitions().get_first_partition_key() == "1990-01-02"


@pytest.mark.parametrize(
    ("value", "message"),
    [("2024-13-01", "is not a date"), ("1989-12-29", "outside the session calendar")],
)
def test_a_bad_history_start_is_a_clear_error(monkeypatch, value, message):
    monkeypatch.setenv("BELLWETHER_HISTORY_START", value)
    with pytest.raises(ValueError, match=message):
        session_partitions()


def test_closures_from_the_history_start_on_are_excluded():
    first = date(2024, 1, 2)
    exclusions = session_partitions(first).exclusions
    listed = sorted(
        datetime.fromtimestamp(e.timestamp, ZoneInfo(e.timezone)).date()
        for e in exclusions
        if not isinstance(e, str)
    )
    assert listed[0] >= first
    assert date(2025, 1, 9) in listed  # the 2025-01-09 closure
    assert date(2025, 4, 18) in listed  # Good Friday
    assert len(listed) == len(weekday_closures(first, listed[-1]))
