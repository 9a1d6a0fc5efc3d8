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
"""

import dagster as dg

from bellwether.partitions import keys_to_sessions, session_partitions
from bellwether.publish import publish
from bellwether.registry import MARTS
from bellwether.resources import WRITER_POOL, WarehouseResource
from bellwether.ui_metadata import add_run_metadata


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
    state = publish(
        warehouse.get(), context.run.run_id, sessions, published=warehouse.published_path()
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
        },
    )
    return dg.MaterializeResult()
