"""One Dagster partition per NYSE session, appearing on the session's evening, never earlier."""

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

from bellwether.partitions import session_partitions

NY = ZoneInfo("America/New_York")


def keys(start: str, end: str) -> list[str]:
    return session_partitions().get_partition_keys_in_range(dg.PartitionKeyRange(start, end))


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
    # the September 2001 closure
    assert keys("2001-09-10", "2001-09-18") == ["2001-09-10", "2001-09-17", "2001-09-18"]


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


def test_history_starts_in_1990():
    assert session_partitions().get_first_partition_key() == "1990-01-02"
