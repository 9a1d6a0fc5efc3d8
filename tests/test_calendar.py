from datetime import UTC, date, datetime

from bellwether.calendar import (
    half_days,
    is_closed,
    is_session,
    last_closed_session,
    previous_session,
    session_close,
    sessions_before,
    sessions_between,
    weekday_closures,
)


def test_holidays_and_closures_are_not_sessions():
    assert not is_session(date(2025, 1, 9))  # national day of mourning (President Carter)
    assert not is_session(date(2025, 4, 18))  # Good Friday
    assert not is_session(date(2025, 6, 19))  # Juneteenth
    assert not is_session(date(2025, 1, 11))  # Saturday
    assert not is_session(date(2001, 9, 11))
    assert is_session(date(2025, 1, 8)) and is_session(date(2025, 1, 10))


def test_half_days_are_sessions_with_an_early_close():
    assert is_session(date(2025, 7, 3))
    assert date(2025, 7, 3) in half_days(date(2025, 7, 1), date(2025, 7, 31))
    assert session_close(date(2025, 7, 3)) == datetime(2025, 7, 3, 17, 0, tzinfo=UTC)  # 13:00 EDT
    assert session_close(date(2025, 7, 2)) == datetime(2025, 7, 2, 20, 0, tzinfo=UTC)  # 16:00 EDT


def test_sessions_between_skips_weekends_and_holidays():
    assert sessions_between(date(2025, 1, 7), date(2025, 1, 13)) == [
        date(2025, 1, 7),
        date(2025, 1, 8),
        date(2025, 1, 10),
        date(2025, 1, 13),
    ]
    assert sessions_between(date(2025, 1, 13), date(2025, 1, 7)) == []
    assert previous_session(date(2025, 4, 21)) == date(2025, 4, 17)
    assert weekday_closures(date(2025, 1, 1), date(2025, 1, 31)) == [
        date(2025, 1, 1),
        date(2025, 1, 9),
        date(2025, 1, 20),
    ]


def test_a_session_is_closed_only_after_close_plus_margin():
    friday = date(2025, 6, 20)
    assert not is_closed(friday, datetime(2025, 6, 20, 20, 30, tzinfo=UTC))  # 16:30 EDT
    assert is_closed(friday, datetime(2025, 6, 20, 21, 0, tzinfo=UTC))  # 17:00 EDT
    assert last_closed_session(datetime(2025, 6, 20, 19, 0, tzinfo=UTC)) == date(2025, 6, 18)
    assert last_closed_session(datetime(2025, 6, 20, 21, 5, tzinfo=UTC)) == friday
    assert last_closed_session(datetime(2025, 6, 22, 12, 0, tzinfo=UTC)) == friday


def test_sessions_before_counts_sessions_back_from_the_last_session_on_or_before_a_date():
    assert sessions_before(date(2025, 1, 13), 0) == date(2025, 1, 13)
    assert sessions_before(date(2025, 1, 12), 0) == date(2025, 1, 10)  # a Sunday
    assert sessions_before(date(2025, 1, 13), 2) == date(2025, 1, 8)  # over 2025-01-09
    assert (
        sessions_before(date(2025, 12, 31), 252)
        == sessions_between(date(2024, 1, 1), date(2025, 12, 31))[-253]
    )
    assert sessions_before(date(1990, 1, 10), 100) == date(1990, 1, 2)  # the calendar's first
