"""``warehouse/published``: the run's result made visible to readers (``bellwether.publish``).

The last writer step of a run: it depends on every mart and on ``quality/check_results``, so
Dagster runs it only when they succeeded in this run (a failed or skipped upstream step
skips it, and readers keep the previous state: they never see half a run). It takes the
``duckdb_writer`` pool like the steps that write, so no other run writes the writer's file
while it is read. Why an asset and not a run-status sensor: it runs inside the run, in the
run's process, with the run's partition range, in ``execute_in_process`` (``bellwether
demo``, the tests) as in ``dagster dev``, without waiting for the daemon's sensor tick;
its failure fails the run visibly; and the brief can depend on it, so it reads the state
this run published.

Interleaved runs: a backfill and the schedule can take turns on the writer pool step by step.
The step passes ``still_writing`` (the other runs that wrote since the last state and are
still in progress per the Dagster instance); while any is, this run's publish is deferred
(nothing is published, the step succeeds saying so) and the other run's publish, which
comes after, holds this run's results too (``absorbed``), and its brief step writes this
run's briefs. So a published state is never half of a run.
"""

import dagster as dg

from bellwether.publish import PublishDeferred
from bellwether.registry import MARTS
from orchestration.partitions import keys_to_sessions, session_partitions
from orchestration.resources import WRITER_POOL, WarehouseResource
from orchestration.ui_metadata import add_run_metadata


@dg.asset(
    key=["warehouse", "published"],
    group_name="publish",
    deps=[
        *(dg.AssetKey(spec.asset.split("/")) for spec in MARTS.values()),
        dg.AssetKey(["quality", "check_results"]),
    ],
    partitions_def=session_partitions(),
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=WRITER_POOL,
    kinds={"duckdb"},
    owners=["team:data-platform"],
    tags={"layer": "publish"},
    description=(
        "The published warehouse that SQL users, the brief and `bellwether status` read "
        "(data/warehouse.duckdb, BELLWETHER_PUBLISHED): after the run's marts and checks "
        "succeeded, the writer's private file is published as a new consistent state, swapped "
        "in atomically and readable by DuckDB 1.5 clients. Readers never block runs."
    ),
)
def published(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    sessions = keys_to_sessions(context.partition_keys)
    try:
        state = warehouse.publish_run(context, sessions)
    except PublishDeferred as deferred:
        context.log.warning(str(deferred))
        return dg.MaterializeResult(
            metadata={
                "deferred_to": ", ".join(sorted(deferred.runs)),
                "path": dg.MetadataValue.path(str(warehouse.published_path())),
            }
        )
    context.log.info(f"published {state.label()} by {state.method} in {state.seconds} s")
    # the run's figures: on the last partition's materialization only
    add_run_metadata(
        context,
        {
            "state_id": state.state_id,
            "path": dg.MetadataValue.path(str(state.path)),
            "method": state.method,
            "sessions_copied": state.delta_sessions if state.delta_sessions is not None else -1,
            "seconds": state.seconds or 0.0,
            "first_session": str(state.first_session),
            "last_session": str(state.last_session),
            "absorbed_runs": ", ".join(sorted(state.absorbed)) or "none",
        },
    )
    return dg.MaterializeResult()
