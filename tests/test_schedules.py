"""The after-close schedule: one run per new session, nothing on holidays, one run per key."""

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from dagster._core.definitions.schedule_definition import ScheduleExecutionData

from bellwether.definitions import defs
from bellwether.schedules import JOB_NAME, SCHEDULE_CRON, SCHEDULE_NAME, SCHEDULE_TIMEZONE

NY = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def repository():
    return defs.get_repository_def()


def tick(repository, *args) -> ScheduleExecutionData:
    schedule = repository.get_schedule_def(SCHEDULE_NAME)
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(*args, tzinfo=NY), repository_def=repository
    )
    return schedule.evaluate_tick(context)


def only_run(data: ScheduleExecutionData) -> dg.RunRequest:
    assert not data.skip_message, data.skip_message
    assert data.run_requests is not None and len(data.run_requests) == 1
    return data.run_requests[0]


def test_the_schedule_targets_the_whole_graph_after_the_close(repository):
    schedule = repository.get_schedule_def(SCHEDULE_NAME)
    assert schedule.cron_schedule == SCHEDULE_CRON == "0 18 * * 1-5"
    assert schedule.execution_timezone == SCHEDULE_TIMEZONE == "America/New_York"
    assert schedule.job_name == JOB_NAME
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    job = repository.get_job(JOB_NAME)
    graph = defs.resolve_asset_graph()
    assert set(job.asset_layer.executable_asset_keys) == set(graph.executable_asset_keys)
    assert set(job.asset_layer.asset_graph.asset_check_keys) == set(graph.asset_check_keys)
    assert graph.asset_check_keys  # the checks run with their assets


@pytest.mark.parametrize(
    ("when", "session"),
    [
        ((2025, 12, 5, 18, 0), "2025-12-05"),  # a Friday in winter (EST)
        ((2025, 6, 20, 18, 0), "2025-06-20"),  # a Friday in summer (EDT), after Juneteenth
        ((2025, 4, 21, 18, 0), "2025-04-21"),  # the Monday after Good Friday
        ((2025, 7, 3, 18, 0), "2025-07-03"),  # half day: 13:00 close
        ((2025, 11, 28, 18, 0), "2025-11-28"),  # half day after Thanksgiving
        ((2025, 1, 10, 18, 0), "2025-01-10"),  # the session after the 2025-01-09 closure
    ],
)
def test_a_weekday_after_the_close_requests_one_run_for_that_session(repository, when, session):
    request = only_run(tick(repository, *when))
    assert request.run_key == session
    assert request.partition_key == session
    assert request.tags["bellwether/trigger"] == "schedule"


@pytest.mark.parametrize(
    "when",
    [
        (2025, 4, 18, 18, 0),  # Good Friday
        (2025, 1, 9, 18, 0),  # national day of mourning (President Carter)
        (2025, 7, 4, 18, 0),  # Independence Day
        (2025, 12, 25, 18, 0),  # Christmas
        (2025, 12, 6, 18, 0),  # a Saturday (the cron never ticks then; still skipped)
        (2025, 12, 7, 18, 0),  # a Sunday
    ],
)
def test_holidays_closures_and_weekends_are_skipped_with_a_reason(repository, when):
    data = tick(repository, *when)
    assert not data.run_requests
    assert "not an NYSE session" in data.skip_message


def test_a_tick_before_the_session_is_a_partition_is_skipped(repository):
    # A manual evaluation at 17:30 in summer: 2025-06-20 is a partition only from 18:00 EDT.
    data = tick(repository, 2025, 6, 20, 17, 30)
    assert not data.run_requests
    assert "not a partition yet" in data.skip_message


def test_a_double_tick_asks_for_the_same_run_key(repository):
    first = only_run(tick(repository, 2025, 12, 5, 18, 0))
    again = only_run(tick(repository, 2025, 12, 5, 18, 0))
    assert first.run_key == again.run_key == "2025-12-05"
