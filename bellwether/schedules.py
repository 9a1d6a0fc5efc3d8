"""The schedule: materialize each new NYSE session after its close.

``bellwether_after_close`` ticks at 18:00 New York on weekdays (``0 18 * * 1-5``,
``America/New_York``, so DST is followed) and asks for ONE run of the main job
(``bellwether_daily``: every asset and its checks, whatever groups are added later) on the
session that just closed:

* the tick's date must be an XNYS session: a weekday holiday or closure (Good Friday,
  2025-01-09, ...) is skipped with a reason, and weekends never tick;
* the partitions' latest key at the tick's time must be that session. Session D becomes a
  partition at 18:00 New York in summer and 17:00 in winter (``bellwether.partitions``),
  and a half day (13:00 close, e.g. 2025-07-03) is a partition like any other session;
* the run key is the partition key, so a repeated tick for the same session (a daemon
  restart, a manual re-evaluation) starts at most one run.

Older sessions are filled by backfills: a range backfill is ONE run over every selected
asset (single-run backfill policy), so downstream marts come with it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import dagster as dg

from bellwether.calendar import is_session
from bellwether.partitions import session_partitions

SCHEDULE_NAME = "bellwether_after_close"
SCHEDULE_CRON = "0 18 * * 1-5"
SCHEDULE_TIMEZONE = "America/New_York"
#: The job over the whole graph, defined in :mod:`bellwether.definitions`.
JOB_NAME = "bellwether_daily"


def session_due(tick: datetime) -> str | dg.SkipReason:
    """The partition key to run at ``tick`` (aware), or why there is nothing to run."""
    local = tick.astimezone(ZoneInfo(SCHEDULE_TIMEZONE))
    today = local.date()
    if not is_session(today):
        return dg.SkipReason(f"{today} is not an NYSE session (weekend, holiday or closure)")
    with dg.partition_loading_context(effective_dt=local):
        latest = session_partitions().get_last_partition_key()
    if latest != today.isoformat():
        return dg.SkipReason(
            f"session {today} is not a partition yet at {local:%H:%M %Z} (latest is {latest})"
        )
    return latest


@dg.schedule(
    name=SCHEDULE_NAME,
    cron_schedule=SCHEDULE_CRON,
    execution_timezone=SCHEDULE_TIMEZONE,
    job_name=JOB_NAME,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "After each NYSE close (18:00 New York, weekdays): one run of bellwether_daily for the "
        "session that just closed; holidays and closures are skipped, run key = session."
    ),
)
def after_close_schedule(context: dg.ScheduleEvaluationContext):
    due = session_due(context.scheduled_execution_time or datetime.now(UTC))
    if isinstance(due, dg.SkipReason):
        return due
    return dg.RunRequest(
        run_key=due,
        partition_key=due,
        tags={"bellwether/trigger": "schedule"},
    )
