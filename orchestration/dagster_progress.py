"""Feed a Dagster run's events to :class:`bellwether.progress.Progress` (thin wiring).

:func:`run_with_progress` executes a job in process with a listener on the instance for the
run's id: a step's start and end move the display, and each per-partition materialization
of the step counts one session done. Dagster's own log lines stay in the instance (the UI's
run page); the console shows the progress.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster import DagsterEventType

from bellwether.progress import Progress

#: Dagster's console logger silenced below warnings: the progress replaces its lines.
QUIET_RUN_CONFIG: dict = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}

_ENDS = {
    DagsterEventType.STEP_SUCCESS: "done",
    DagsterEventType.STEP_FAILURE: "FAILED",
    DagsterEventType.STEP_SKIPPED: "skipped",
}


def listener(progress: Progress):
    """The instance event listener that moves ``progress``."""

    def on_event(entry) -> None:
        event = entry.dagster_event
        if event is None:
            return
        kind = event.event_type
        if kind == DagsterEventType.STEP_START:
            progress.start_step((event.step_key or "").replace("__", "/"))
        elif kind == DagsterEventType.ASSET_MATERIALIZATION and event.partition:
            progress.sessions_done(1)
        elif kind in _ENDS:
            if kind == DagsterEventType.STEP_SKIPPED:
                progress.start_step((event.step_key or "").replace("__", "/"))
            progress.end_step(_ENDS[kind])

    return on_event


def run_with_progress(
    job: dg.JobDefinition,
    instance: dg.DagsterInstance,
    sessions: int,
    *,
    tags: Mapping[str, str] | None = None,
    partition_key: str | None = None,
    progress: Progress | None = None,
) -> Any:
    """``job.execute_in_process`` (errors in the result, not raised) with progress printed."""
    run_id = str(uuid.uuid4())  # Dagster's own run ids are uuid4 strings
    progress = progress or Progress(len(job.graph.node_dict), sessions)
    instance.add_event_listener(run_id, listener(progress))
    result = job.execute_in_process(
        instance=instance, run_id=run_id, tags=dict(tags or {}), partition_key=partition_key,
        run_config=QUIET_RUN_CONFIG, raise_on_error=False,
    )  # fmt: skip
    progress.finish(f"dagster run {result.run_id}: {'succeeded' if result.success else 'FAILED'}")
    return result
