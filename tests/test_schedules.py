"""The after-close schedule catches up: ONE run over the missed sessions, nothing twice.

Every tick is evaluated by Dagster (``ScheduleDefinition.evaluate_tick``) against a real,
persistent Dagster instance at a fixed tick time, never the wall clock. What the instance
holds is set up either by real runs of ``bellwether_daily`` on the bundled sample (the slow
test at the end) or by recording materializations, run failures and created runs in it.
"""

import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from dagster._core.definitions.schedule_definition import ScheduleExecutionData

from bellwether.calendar import sessions_between
from bellwether.catchup import fill_command
from bellwether.settings import catchup_sessions
from orchestration.definitions import defs
from orchestration.schedules import (
    JOB_NAME,
    PARTITION_TAG,
    RANGE_END_TAG,
    RANGE_START_TAG,
    RAW_KEY,
    RUN_KEY_TAG,
    SCHEDULE_NAME,
    SCHEDULE_NAME_TAG,
    SCHEDULED_TIME_TAG,
)

NY = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def repository():
    return defs.get_repository_def()


@pytest.fixture(scope="module")
def _instance():
    with dg.instance_for_test() as instance:
        yield instance


@pytest.fixture
def instance(_instance, monkeypatch):
    """A persistent instance, empty for each test, and the default catch-up window."""
    monkeypatch.delenv("BELLWETHER_CATCHUP_SESSIONS", raising=False)
    _instance.wipe()
    assert not _instance.get_runs() and not _instance.get_materialized_partitions(RAW_KEY)
    return _instance


def at(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


def tick(repository, instance, when: datetime) -> ScheduleExecutionData:
    schedule = repository.get_schedule_def(SCHEDULE_NAME)
    context = dg.build_schedule_context(
        instance=instance, scheduled_execution_time=when, repository_def=repository
    )
    return schedule.evaluate_tick(context)


def only_run(data: ScheduleExecutionData) -> dg.RunRequest:
    assert not data.skip_message, data.skip_message
    assert data.run_requests is not None and len(data.run_requests) == 1, data.run_requests
    return data.run_requests[0]


def skipped(data: ScheduleExecutionData) -> str:
    assert not data.run_requests, data.run_requests
    assert data.skip_message
    return data.skip_message


def record_landed(instance, sessions) -> None:
    """Sessions materialized for raw/daily_bars, as a run records them."""
    for s in sessions:
        instance.report_runless_asset_event(dg.AssetMaterialization(RAW_KEY, partition=str(s)))


def landed_through(instance, last: str, n: int = 10) -> None:
    """Every session of the ``n`` (a catch-up window) ending at ``last`` is landed."""
    record_landed(
        instance, sessions_between(date.fromisoformat(last) - timedelta(days=30), last)[-n:]
    )


def requested_range(request: dg.RunRequest) -> tuple[str, str]:
    if request.partition_key:
        return request.partition_key, request.partition_key
    return request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]


def test_the_schedule_targets_the_whole_graph_after_the_close(repository):
    schedule = repository.get_schedule_def(SCHEDULE_NAME)
    assert schedule.cron_schedule == "0 18 * * 1-5"
    assert schedule.execution_timezone == "America/New_York"
    assert schedule.job_name == JOB_NAME == "bellwether_daily"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    job = repository.get_job(JOB_NAME)
    graph = defs.resolve_asset_graph()
    assert set(job.asset_layer.executable_asset_keys) == set(graph.executable_asset_keys)
    # every check runs with its asset, except the weekly full-history audit (its own job)
    audit = {k for k in graph.asset_check_keys if k.name == "recompute_full_history"}
    assert audit and set(job.asset_layer.asset_graph.asset_check_keys) == (
        set(graph.asset_check_keys) - audit
    )
    assert graph.asset_check_keys  # the checks run with their assets
    # every asset is landed as ONE run per range, so a catch-up range is one run
    assert all(
        graph.get(k).backfill_policy == dg.BackfillPolicy.single_run()
        for k in graph.executable_asset_keys
    )


@pytest.mark.parametrize(
    ("when", "previous", "session"),
    [
        ((2025, 12, 5, 18, 0), "2025-12-04", "2025-12-05"),  # a Friday in winter (EST)
        ((2025, 6, 20, 18, 0), "2025-06-18", "2025-06-20"),  # summer (EDT), after Juneteenth
        ((2025, 4, 21, 18, 0), "2025-04-17", "2025-04-21"),  # the Monday after Good Friday
        ((2025, 7, 3, 18, 0), "2025-07-02", "2025-07-03"),  # half day: 13:00 close
        ((2025, 11, 28, 18, 0), "2025-11-26", "2025-11-28"),  # half day after Thanksgiving
        ((2025, 1, 10, 18, 0), "2025-01-08", "2025-01-10"),  # after the 2025-01-09 closure
    ],
)
def test_after_the_close_the_session_that_just_closed_is_one_partition_run(
    repository, instance, when, previous, session
):
    landed_through(instance, previous)
    request = only_run(tick(repository, instance, at(*when)))
    assert request.run_key == session
    assert request.partition_key == session
    assert request.tags["dagster/partition"] == session  # resolved by Dagster
    assert request.tags["dagster/schedule_name"] == SCHEDULE_NAME
    assert request.tags["bellwether/trigger"] == "schedule"
    assert request.tags["bellwether/missing"] == f"{session} (never requested)"
    assert RANGE_START_TAG not in request.tags


@pytest.mark.parametrize(
    ("when", "previous"),
    [
        ((2025, 4, 18, 18, 0), "2025-04-17"),  # Good Friday
        ((2025, 1, 9, 18, 0), "2025-01-08"),  # national day of mourning (President Carter)
        ((2025, 7, 4, 18, 0), "2025-07-03"),  # Independence Day
        ((2025, 12, 25, 18, 0), "2025-12-24"),  # Christmas
        ((2025, 12, 6, 18, 0), "2025-12-05"),  # a Saturday (the cron never ticks then)
        ((2025, 12, 7, 18, 0), "2025-12-05"),  # a Sunday
    ],
)
def test_holidays_closures_and_weekends_with_nothing_missing_are_skipped_with_a_reason(
    repository, instance, when, previous
):
    landed_through(instance, previous)
    message = skipped(tick(repository, instance, at(*when)))
    assert "not an NYSE session" in message
    assert "nothing missing in the last 10 sessions" in message and f"..{previous})" in message


def test_a_daemon_started_on_a_holiday_still_catches_up(repository, instance):
    # down since Tuesday's close; the first tick it evaluates is Good Friday's
    landed_through(instance, "2025-04-15")
    request = only_run(tick(repository, instance, at(2025, 4, 18, 18, 0)))
    assert request.run_key == "2025-04-16...2025-04-17"
    assert requested_range(request) == ("2025-04-16", "2025-04-17")


def test_a_tick_before_the_session_is_a_partition_is_skipped(repository, instance):
    # A manual evaluation at 17:30 in summer: 2025-06-20 is a partition only from 18:00 EDT.
    landed_through(instance, "2025-06-18")
    message = skipped(tick(repository, instance, at(2025, 6, 20, 17, 30)))
    assert "not a partition yet" in message and "nothing missing" in message


def test_three_missed_closes_and_the_new_one_are_one_range_run(repository, instance):
    landed_through(instance, "2025-12-01")  # then the daemon is down for 12-02, 12-03, 12-04
    request = only_run(tick(repository, instance, at(2025, 12, 5, 18, 0)))
    assert request.run_key == "2025-12-02...2025-12-05"
    assert requested_range(request) == ("2025-12-02", "2025-12-05")
    assert request.partition_key is None
    assert request.tags["bellwether/missing"] == (
        "2025-12-02 (never requested), 2025-12-03 (never requested), "
        "2025-12-04 (never requested), 2025-12-05 (never requested)"
    )
    assert "older_gaps" not in " ".join(request.tags)


def test_a_failed_run_is_asked_for_again_and_a_running_one_is_not(repository, instance):
    landed_through(instance, "2025-12-01")
    job = repository.get_job(JOB_NAME)
    failed = instance.create_run_for_job(
        job, tags={RANGE_START_TAG: "2025-12-02", RANGE_END_TAG: "2025-12-03"}
    )
    instance.report_run_failed(failed)
    # a backfill of 12-04 is queued or running: not asked for a second time
    instance.create_run_for_job(job, tags={"dagster/partition": "2025-12-04"})
    request = only_run(tick(repository, instance, at(2025, 12, 5, 18, 0)))
    assert request.tags["bellwether/missing"] == (
        "2025-12-02 (run failed), 2025-12-03 (run failed), 2025-12-05 (never requested)"
    )
    assert request.tags["bellwether/in_progress"] == "2025-12-04"
    # one range from the first to the last missing session (12-04 is landed again, harmlessly)
    assert requested_range(request) == ("2025-12-02", "2025-12-05")


def test_only_running_sessions_in_the_window_is_a_skip(repository, instance):
    landed_through(instance, "2025-12-04")
    instance.create_run_for_job(
        repository.get_job(JOB_NAME), tags={"dagster/partition": "2025-12-05"}
    )
    message = skipped(tick(repository, instance, at(2025, 12, 5, 18, 0)))
    assert "nothing missing" in message and "in progress: 2025-12-05" in message


def test_gaps_older_than_the_window_are_named_with_their_command_not_requested(
    repository, instance
):
    history = sessions_between("2025-09-02", "2025-12-04")
    hole = sessions_between("2025-10-15", "2025-10-17")
    record_landed(instance, [s for s in history if s not in hole and s != date(2025, 9, 30)])
    message = skipped(tick(repository, instance, at(2025, 12, 4, 18, 0)))
    assert "4 session(s) older than the catch-up window (10 sessions) are missing" in message
    assert "2025-09-30, 2025-10-15..2025-10-17 (3 sessions)" in message
    assert fill_command(date(2025, 10, 15), date(2025, 10, 17)) in message
    assert fill_command(date(2025, 9, 30), date(2025, 9, 30)) in message
    # the next tick asks only for its own session and carries the older gaps in its tags
    request = only_run(tick(repository, instance, at(2025, 12, 5, 18, 0)))
    assert request.run_key == "2025-12-05"
    assert "2025-10-15..2025-10-17 (3 sessions)" in request.tags["bellwether/older_gaps"]


def test_the_window_is_one_setting(repository, instance, monkeypatch):
    landed_through(instance, "2025-11-26")
    # down for 12 sessions with a window of 3: the last 3 are asked for, the rest are named
    monkeypatch.setenv("BELLWETHER_CATCHUP_SESSIONS", "3")
    request = only_run(tick(repository, instance, at(2025, 12, 15, 18, 0)))
    assert requested_range(request) == ("2025-12-11", "2025-12-15")
    assert request.tags["bellwether/catchup"] == (
        "3 of the last 3 sessions (2025-12-11..2025-12-15) missing"
    )
    assert "2025-11-28..2025-12-10 (9 sessions)" in request.tags["bellwether/older_gaps"]
    # the default window (10) reaches back to 12-01
    monkeypatch.delenv("BELLWETHER_CATCHUP_SESSIONS")
    request = only_run(tick(repository, instance, at(2025, 12, 15, 18, 0)))
    assert requested_range(request) == ("2025-12-02", "2025-12-15")


@pytest.mark.parametrize("value", ["0", "-1", "ten", "253", "2.5"])
def test_a_bad_window_setting_fails_clearly(monkeypatch, value):
    monkeypatch.setenv("BELLWETHER_CATCHUP_SESSIONS", value)
    with pytest.raises(ValueError, match="BELLWETHER_CATCHUP_SESSIONS"):
        catchup_sessions()


def test_the_window_setting_defaults_to_ten(monkeypatch):
    monkeypatch.delenv("BELLWETHER_CATCHUP_SESSIONS", raising=False)
    assert catchup_sessions() == 10
    monkeypatch.setenv("BELLWETHER_CATCHUP_SESSIONS", " 25 ")
    assert catchup_sessions() == 25


def test_a_fresh_instance_asks_for_the_whole_window_as_one_run(repository, instance):
    request = only_run(tick(repository, instance, at(2025, 12, 5, 18, 0)))
    assert requested_range(request) == ("2025-11-21", "2025-12-05")
    assert request.tags["bellwether/catchup"] == (
        "10 of the last 10 sessions (2025-11-21..2025-12-05) missing"
    )
    assert "bellwether/older_gaps" not in request.tags  # no history, so no gap before it


@pytest.mark.slow
def test_after_three_missed_closes_one_run_lands_all_four_and_equals_a_full_build(
    repository, instance, tmp_path, monkeypatch
):
    """The daemon is down for the closes of 2025-12-02, 12-03 and 12-04; the tick of 12-05
    asks for ONE run of bellwether_daily over the four sessions; after it the warehouse
    holds what one build of the whole range holds; a repeated tick asks for nothing new."""
    from bellwether.pipeline import run_pipeline
    from bellwether.sources.bundled import BundledSource
    from bellwether.universe import default_universe
    from bellwether.warehouse import Warehouse
    from tests.conftest import NOW
    from tests.test_incremental import MART_KEYS, assert_same_marts, marts_of

    for name, value in {
        "BELLWETHER_SOURCE": "bundled",
        "BELLWETHER_WAREHOUSE": str(tmp_path / "wh.duckdb"),
        "BELLWETHER_ARCHIVE": str(tmp_path / "archive"),
        "BELLWETHER_REPORTS": str(tmp_path / "reports"),
    }.items():
        monkeypatch.setenv(name, value)
    job = repository.get_job(JOB_NAME)
    # history before the downtime: the window of the 12-05 tick (11-21..12-05) starts inside it
    assert job.execute_in_process(
        instance=instance, tags={RANGE_START_TAG: "2025-11-19", RANGE_END_TAG: "2025-12-01"}
    ).success

    when = at(2025, 12, 5, 18, 0)
    request = only_run(tick(repository, instance, when))
    assert request.run_key == "2025-12-02...2025-12-05"
    run_tags = {
        **request.tags,
        SCHEDULED_TIME_TAG: "2025-12-05T23:00:00+00:00",
        RUN_KEY_TAG: request.run_key,
    }
    result = job.execute_in_process(instance=instance, tags=run_tags)  # what the daemon launches
    assert result.success
    mats = result.asset_materializations_for_node("raw__daily_bars")
    assert sorted(m.partition for m in mats) == [
        "2025-12-02",
        "2025-12-03",
        "2025-12-04",
        "2025-12-05",
    ]
    assert len(instance.get_runs()) == 2  # the history run and ONE catch-up run

    # the warehouse equals one build of 11-19..12-05
    wh = Warehouse(tmp_path / "wh.duckdb")
    full = Warehouse(tmp_path / "full.duckdb")
    run_pipeline(
        full, BundledSource(), default_universe(), date(2025, 11, 19), date(2025, 12, 5), now=NOW
    )
    bars = "select * exclude (ingested_at, ingest_id) from raw.daily_bars order by all"
    with wh.connect(read_only=True) as a, full.connect(read_only=True) as b:
        assert a.sql(bars).fetchall() == b.sql(bars).fetchall()
        sessions = a.sql("select count(distinct session_date) from raw.daily_bars").fetchall()[0][0]
    assert sessions == len(sessions_between("2025-11-19", "2025-12-05")) == 12
    assert set(MART_KEYS) and marts_of(wh)["daily_returns"].height
    assert_same_marts(marts_of(wh), marts_of(full))

    # a repeated tick: the same tick again gives the same run key (Dagster's one run per
    # tick), and any later evaluation finds nothing missing
    assert only_run(tick(repository, instance, when)).run_key == request.run_key
    message = skipped(tick(repository, instance, at(2025, 12, 5, 21, 0)))
    assert "nothing missing in the last 10 sessions (2025-11-21..2025-12-05)" in message
    # and the next close is a run of that session alone
    assert only_run(tick(repository, instance, at(2025, 12, 8, 18, 0))).run_key == "2025-12-08"


@pytest.mark.slow
def test_the_daemon_down_for_three_closes_launches_one_run_at_its_next_tick(tmp_path):
    """The real schedule daemon (Dagster's own tick loop, against the code location in a code
    server, with Dagster's clock frozen): it evaluates only the latest missed tick, and that
    tick launches ONE run over the three missed sessions and the new one. The daemon fails
    right after creating that run (before the tick is marked done) and retries the tick: the
    retried evaluation asks for the same run key, and Dagster's run-key de-duplication finds
    the run already created, so there is still ONE run. The run tags the schedule reads are
    the ones the daemon writes. Runs are recorded, not executed (the test above executes one).

    Dagster has no public API for a daemon tick at a chosen time, so this drives the
    scheduler's own loop (``dagster._scheduler``) and its test workspace and clock."""
    from dagster._core.scheduler.instigation import InstigatorType, TickStatus
    from dagster._core.test_utils import create_test_daemon_workspace_context, freeze_time
    from dagster._core.workspace.load_target import ModuleTarget
    from dagster._scheduler.scheduler import launch_scheduled_runs

    launcher = {"module": "dagster._core.test_utils", "class": "MockedRunLauncher"}
    target = ModuleTarget(
        module_name="orchestration.definitions",
        attribute=None,
        working_directory=str(Path(__file__).resolve().parent.parent),
        location_name="bellwether",
    )
    with (
        dg.instance_for_test(overrides={"run_launcher": launcher}) as instance,
        create_test_daemon_workspace_context(target, instance) as workspace,
    ):
        record_landed(instance, sessions_between("2025-11-17", "2025-12-01"))

        def daemon_at(*args, crash_after: str | None = None) -> list[tuple[str, str | None]]:
            """One daemon iteration at the given New York time; ``crash_after`` makes the
            daemon fail at that point of the tick (Dagster's own crash points)."""
            now = at(*args)
            crash = (
                {SCHEDULE_NAME: {crash_after: RuntimeError("daemon died")}} if crash_after else None
            )
            with freeze_time(now):
                list(
                    launch_scheduled_runs(
                        workspace, logging.getLogger("daemon"), now, {},
                        max_tick_retries=1, debug_crash_flags=crash,
                    )
                )  # fmt: skip
            return sorted(
                (r.tags[RUN_KEY_TAG], r.tags.get(SCHEDULED_TIME_TAG))
                for r in instance.get_runs()
                if r.job_name == JOB_NAME
            )

        def ticks() -> list[tuple[str, TickStatus, list[str]]]:
            (state,) = [
                s
                for s in instance.all_instigator_state(instigator_type=InstigatorType.SCHEDULE)
                if s.instigator_name == SCHEDULE_NAME
            ]
            found = instance.get_ticks(state.instigator_origin_id, state.selector_id)
            return sorted(
                (
                    datetime.fromtimestamp(t.timestamp, NY).strftime("%m-%d %H:%M"),
                    t.status,
                    t.run_keys,
                )
                for t in found
            )

        catch_up_run = [("2025-12-02...2025-12-05", "2025-12-05T23:00:00+00:00")]
        assert daemon_at(2025, 12, 1, 17, 59) == []  # the daemon starts before the 12-01 close
        assert daemon_at(2025, 12, 1, 18, 1) == []  # 12-01 is landed: a skipped tick
        # down for the closes of 12-02, 12-03 and 12-04; back a minute after the 12-05 close,
        # and it dies just after creating the tick's run
        assert daemon_at(2025, 12, 5, 18, 1, crash_after="RUN_CREATED") == catch_up_run
        (run,) = instance.get_runs()
        assert ticks()[-1][:2] == ("12-05 18:00", TickStatus.FAILURE)
        # restarted: it retries the same tick, which asks for the same run key, and Dagster
        # finds the run already created for that key and tick: no second run
        assert daemon_at(2025, 12, 5, 18, 2) == catch_up_run
        assert [r.run_id for r in instance.get_runs()] == [run.run_id]
        assert run.job_name == JOB_NAME
        assert (run.tags[RANGE_START_TAG], run.tags[RANGE_END_TAG]) == ("2025-12-02", "2025-12-05")
        assert run.tags[SCHEDULE_NAME_TAG] == SCHEDULE_NAME
        # the same minute again: no new tick, no second run
        assert daemon_at(2025, 12, 5, 18, 3) == catch_up_run
        # only the latest missed tick was evaluated: none for 12-02..12-04; the retried tick
        # succeeded with the run it had created
        assert ticks() == [
            ("12-01 18:00", TickStatus.SKIPPED, []),
            ("12-05 18:00", TickStatus.SUCCESS, ["2025-12-02...2025-12-05"]),
        ]
        # the catch-up run is still queued at the next close: only the new session is asked
        # for, as a partition run (Dagster's partition tag)
        assert daemon_at(2025, 12, 8, 18, 1) == [
            *catch_up_run,
            ("2025-12-08", "2025-12-08T23:00:00+00:00"),
        ]
        (new,) = [
            r for r in instance.get_runs() if r.run_id != run.run_id and r.job_name == JOB_NAME
        ]
        assert new.tags[PARTITION_TAG] == "2025-12-08" and RANGE_START_TAG not in new.tags
        # the weekly full-history audit's Saturday tick (12-06 06:00) and the weekly
        # compaction's Sunday tick (12-07 06:00) were missed too: the daemon launched each
        # once, a run of its own job that materializes nothing
        audit, compaction = sorted(
            (r for r in instance.get_runs() if r.job_name != JOB_NAME),
            key=lambda r: r.tags[SCHEDULED_TIME_TAG],
        )
        assert audit.job_name == "bellwether_full_history_recompute"
        assert audit.tags[SCHEDULE_NAME_TAG] == "bellwether_weekly_full_history_recompute"
        assert audit.tags[SCHEDULED_TIME_TAG] == "2025-12-06T11:00:00+00:00"
        assert compaction.job_name == "bellwether_compact"
        assert compaction.tags[SCHEDULE_NAME_TAG] == "bellwether_weekly_compact"
        assert compaction.tags[SCHEDULED_TIME_TAG] == "2025-12-07T11:00:00+00:00"


def test_the_compaction_runs_weekly_on_sundays_in_a_job_of_its_own(repository):
    schedule = repository.get_schedule_def("bellwether_weekly_compact")
    assert schedule.cron_schedule == "0 6 * * 0"  # Sundays, after the Saturday audit
    assert schedule.execution_timezone == "America/New_York"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    job = repository.get_job(schedule.job_name)
    assert job.name == "bellwether_compact"
    assert [node.name for node in job.nodes] == ["compact_session_tables"]
    assert job.nodes[0].definition.pool == "duckdb_writer"  # never beside a run that writes


def test_the_full_history_audit_runs_weekly_in_a_job_of_its_own(repository):
    schedule = repository.get_schedule_def("bellwether_weekly_full_history_recompute")
    assert schedule.cron_schedule == "0 6 * * 6"  # Saturdays, when no session closes
    assert schedule.execution_timezone == "America/New_York"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    job = repository.get_job(schedule.job_name)
    checks = set(job.asset_layer.asset_graph.asset_check_keys)
    # only the audit checks of the per-ticker and pair marts (that the job materializes no
    # asset: tests/test_dagster_runs.py)
    assert {(k.asset_key.path[-1], k.name) for k in checks} == {
        (m, "recompute_full_history")
        for m in ("daily_returns", "streaks", "technicals", "relative_performance")
    }


@pytest.fixture
def project_instance(tmp_path, monkeypatch):
    """An instance with the project's own storage (``dagster_home/dagster.yaml``): one
    planned event per asset of a range run, so the partition status does not show a range
    run's sessions in progress, nor failed when it fails."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        (Path(__file__).resolve().parent.parent / "dagster_home" / "dagster.yaml").read_text()
    )
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.delenv("BELLWETHER_CATCHUP_SESSIONS", raising=False)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        yield instance


def test_a_queued_range_run_is_not_asked_for_again_with_the_projects_storage(
    repository, project_instance
):
    """A range run queued or running (a backfill from the UI, or the previous tick's
    catch-up still waiting for the writer): the next tick asks for the other missing
    sessions only, and names the range's as in progress."""
    instance = project_instance
    landed_through(instance, "2025-12-01")
    job = repository.get_job(JOB_NAME)
    instance.create_run_for_job(
        job, tags={RANGE_START_TAG: "2025-12-02", RANGE_END_TAG: "2025-12-04"}
    )
    request = only_run(tick(repository, instance, at(2025, 12, 5, 18, 0)))
    assert requested_range(request) == ("2025-12-05", "2025-12-05")
    assert request.tags["bellwether/in_progress"] == "2025-12-02, 2025-12-03, 2025-12-04"
    # once every missing session is in progress, the tick is a skip
    instance.create_run_for_job(job, tags={"dagster/partition": "2025-12-05"})
    message = skipped(tick(repository, instance, at(2025, 12, 5, 18, 0)))
    assert "nothing missing" in message and "2025-12-03" in message


def test_a_failed_range_run_is_named_as_failed_with_the_projects_storage(
    repository, project_instance
):
    instance = project_instance
    landed_through(instance, "2025-12-01")
    job = repository.get_job(JOB_NAME)
    failed = instance.create_run_for_job(
        job, tags={RANGE_START_TAG: "2025-12-02", RANGE_END_TAG: "2025-12-03"}
    )
    instance.report_run_failed(failed)
    request = only_run(tick(repository, instance, at(2025, 12, 5, 18, 0)))
    assert request.tags["bellwether/missing"] == (
        "2025-12-02 (run failed), 2025-12-03 (run failed), 2025-12-04 (never requested), "
        "2025-12-05 (never requested)"
    )
    assert requested_range(request) == ("2025-12-02", "2025-12-05")
