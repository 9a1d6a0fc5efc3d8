"""The schedule: after each NYSE close, ONE run that lands every recently missed session.

``bellwether_after_close`` ticks at 18:00 New York on weekdays (``0 18 * * 1-5``,
``America/New_York``, so DST is followed). At every tick it looks at the *catch-up window*:
the last ``N`` sessions (``BELLWETHER_CATCHUP_SESSIONS``, default 10) ending at the latest
session that is a partition at the tick's time (the one that just closed; on a holiday tick,
the session before). It asks for ONE run of the main job (``bellwether_daily``: every asset
and its checks) over the sessions of the window that ``raw/daily_bars`` is missing:

* *missing* is what the Dagster instance says (:meth:`DagsterInstance.get_status_by_partition`,
  the partition status the UI shows): never materialized, or its latest run failed. A
  session whose run is queued or running is not asked for again, so a slow run never gets a
  twin: in progress is what the partition status says or what a run not finished yet names
  in its partition tags (a session, or a range). The project's storage records one planned
  event per asset of a range run, which leaves a range run's sessions out of the partition
  status while it runs (and when it fails: such sessions are named ``run failed`` from the
  newest run that covers them). The warehouse is not read here: the schedule must not wait
  for, or fail on, the DuckDB file that a run is writing; the ``freshness`` check reads the
  warehouse instead and says what is really missing and why (source had nothing, landing
  failed, never run);
* the run covers the first to the last missing session as one range (single-run backfill
  policy: one run, one download per batch of symbols); present sessions inside the range are
  landed again, which replaces them idempotently. One session is a plain partition run;
* the run key is the range (``2025-12-02...2025-12-05``, or the session), and a re-evaluation
  of a tick that already created its run (a daemon restart in the middle of a tick) answers
  with that run's key, so Dagster starts at most one run per tick; a later tick finds the
  sessions materialized or in progress and skips with a reason;
* after downtime the daemon evaluates only the latest missed tick (Dagster catches a
  schedule up only when it has a partition set, and this one has none): the window covers the
  closes missed meanwhile, up to ``N`` sessions;
* gaps older than the window (since the first session ever materialized) are never
  filled automatically: the skip message and the run's ``bellwether/older_gaps`` tag name
  them with the command that fills them, and so does the ``freshness`` check.

Holiday and weekend ticks, and a tick before the session is a partition (a manual
evaluation at 17:30 in summer; see ``orchestration.partitions``), still catch up the window up to
the latest partition, and otherwise skip saying why.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import dagster as dg

from bellwether import settings
from bellwether.calendar import is_session
from bellwether.catchup import describe_older_gaps, older_gaps, window_sessions
from checks.results import name_rows
from orchestration.partitions import session_partitions

SCHEDULE_NAME = "bellwether_after_close"
SCHEDULE_CRON = "0 18 * * 1-5"
SCHEDULE_TIMEZONE = "America/New_York"
#: The job over the whole graph, defined in :mod:`orchestration.definitions`.
JOB_NAME = "bellwether_daily"
#: The asset whose partitions say which sessions are landed.
RAW_KEY = dg.AssetKey(["raw", "daily_bars"])

# Dagster's run tags, which its public API does not export: a range run, and the schedule
# and tick a run was created by (set by the daemon). The project's code, tests and bench use
# these names, never Dagster's private modules; tests/test_schedules.py checks them on runs.
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
PARTITION_TAG = "dagster/partition"
SCHEDULE_NAME_TAG = "dagster/schedule_name"
SCHEDULED_TIME_TAG = ".dagster/scheduled_execution_time"  # a hidden tag
RUN_KEY_TAG = "dagster/run_key"

#: Why a session of the window is asked for, by its Dagster partition status.
NEVER_REQUESTED = "never requested"
RUN_FAILED = "run failed"


def latest_partition(tick: datetime) -> tuple[date, str | None]:
    """The latest session that is a partition at ``tick``, and why it is not the tick's date."""
    local = tick.astimezone(ZoneInfo(SCHEDULE_TIMEZONE))
    today = local.date()
    with dg.partition_loading_context(effective_dt=local):
        latest = date.fromisoformat(session_partitions().get_last_partition_key())
    if not is_session(today):
        return latest, f"{today} is not an NYSE session (weekend, holiday or closure)"
    if latest != today:
        return latest, (
            f"session {today} is not a partition yet at {local:%H:%M %Z} (latest is {latest})"
        )
    return latest, None


def _run_of_this_tick(instance: dg.DagsterInstance, tick: datetime) -> dg.DagsterRun | None:
    runs = instance.get_runs(
        dg.RunsFilter(
            tags={
                SCHEDULE_NAME_TAG: SCHEDULE_NAME,
                SCHEDULED_TIME_TAG: tick.astimezone(UTC).isoformat(),
            }
        ),
        limit=1,
    )
    return runs[0] if runs else None


def _same_request(run: dg.DagsterRun) -> dg.RunRequest:
    """The request that created ``run``: Dagster finds the run by its key and tick time."""
    tags = {
        k: v
        for k, v in run.tags.items()
        if k.startswith("bellwether/") or k in (RANGE_START_TAG, RANGE_END_TAG)
    }
    return dg.RunRequest(
        run_key=run.tags.get(RUN_KEY_TAG), partition_key=run.tags.get(PARTITION_TAG), tags=tags
    )


#: Statuses of a run that has not finished: queued, or running.
UNFINISHED = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]
#: How many of the newest runs are read to find the latest run covering a missing session.
RECENT_RUNS = 100


def run_sessions(run: dg.DagsterRun, window: list[str]) -> list[str]:
    """The sessions of ``window`` (ISO dates, ascending) that ``run`` lands: those its
    partition tags name (a session, or a range), when it materializes ``raw/daily_bars``."""
    if run.asset_selection is not None and RAW_KEY not in run.asset_selection:
        return []
    if PARTITION_TAG in run.tags:
        return [k for k in window if k == run.tags[PARTITION_TAG]]
    first, last = run.tags.get(RANGE_START_TAG), run.tags.get(RANGE_END_TAG)
    if first is None or last is None:
        return []
    return [k for k in window if first <= k <= last]


def _in_progress(instance: dg.DagsterInstance, window: list[str], status: dict) -> set[str]:
    """Sessions of ``window`` whose run is queued or running (module doc)."""
    running = {k for k in window if status.get(k) == dg.AssetPartitionStatus.IN_PROGRESS}
    for run in instance.get_runs(dg.RunsFilter(statuses=UNFINISHED)):
        running.update(run_sessions(run, window))
    return running


def _failed_last(instance: dg.DagsterInstance, window: list[str]) -> set[str]:
    """Sessions of ``window`` whose newest covering run (of the last :data:`RECENT_RUNS`)
    failed."""
    latest: dict[str, dg.DagsterRunStatus] = {}
    for run in instance.get_runs(limit=RECENT_RUNS):  # newest first
        for k in run_sessions(run, window):
            latest.setdefault(k, run.status)
    return {k for k, st in latest.items() if st == dg.DagsterRunStatus.FAILURE}


def catch_up(instance: dg.DagsterInstance, tick: datetime) -> dg.RunRequest | dg.SkipReason:
    """What the schedule asks for at ``tick`` (aware), given what ``instance`` has (module doc)."""
    existing = _run_of_this_tick(instance, tick)
    if existing is not None:
        return _same_request(existing)
    end, not_today = latest_partition(tick)
    n = settings.catchup_sessions()
    window = [s.isoformat() for s in window_sessions(end, n)]
    status = instance.get_status_by_partition(RAW_KEY, window, session_partitions()) or {}
    in_progress = _in_progress(instance, window, status)
    absent = [
        k
        for k in window
        if status.get(k) in (None, dg.AssetPartitionStatus.FAILED) and k not in in_progress
    ]
    failed = _failed_last(instance, absent) if absent else set()
    missing = {
        k: RUN_FAILED
        if status.get(k) == dg.AssetPartitionStatus.FAILED or k in failed
        else NEVER_REQUESTED
        for k in absent
    }
    running = sorted(in_progress)
    materialized = {date.fromisoformat(k) for k in instance.get_materialized_partitions(RAW_KEY)}
    gaps = describe_older_gaps(older_gaps(materialized, date.fromisoformat(window[0])), n)
    span = f"the last {n} sessions ({window[0]}..{window[-1]})"
    if not missing:
        parts = [not_today, f"nothing missing in {span}"]
        if running:
            parts.append(f"in progress: {name_rows(running)}")
        return dg.SkipReason("; ".join(p for p in [*parts, gaps] if p))
    first, last = min(missing), max(missing)
    tags = {
        "bellwether/trigger": "schedule",
        "bellwether/catchup": f"{len(missing)} of {span} missing",
        "bellwether/missing": name_rows([f"{k} ({why})" for k, why in sorted(missing.items())]),
    }
    if running:
        tags["bellwether/in_progress"] = name_rows(running)
    if gaps:
        tags["bellwether/older_gaps"] = gaps
    if first == last:
        return dg.RunRequest(run_key=first, partition_key=first, tags=tags)
    return dg.RunRequest(
        run_key=f"{first}...{last}",
        tags={**tags, RANGE_START_TAG: first, RANGE_END_TAG: last},
    )


@dg.schedule(
    name=SCHEDULE_NAME,
    cron_schedule=SCHEDULE_CRON,
    execution_timezone=SCHEDULE_TIMEZONE,
    job_name=JOB_NAME,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "After each NYSE close (18:00 New York, weekdays): ONE run of bellwether_daily over every "
        "session of the last BELLWETHER_CATCHUP_SESSIONS (default 10) that raw/daily_bars is "
        "missing, as one range; run key = the range. Older gaps are named in the skip message "
        "and the run's tags with the command that fills them, never filled automatically."
    ),
)
def after_close_schedule(context: dg.ScheduleEvaluationContext):
    return catch_up(context.instance, context.scheduled_execution_time or datetime.now(UTC))
