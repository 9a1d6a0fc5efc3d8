"""Mart assets: market-internals metrics per NYSE session, computed by pure polars functions.

Each asset reads only the lookback (or stored seed) its windows need, computes its
partition range vectorized chunk by chunk (:mod:`bellwether.chunks`), and replaces each
chunk's sessions in its table in one transaction (see :mod:`bellwether.marts` and
:func:`bellwether.pipeline.build_mart_range`). Definitions: ``docs/METRICS.md``. Every
asset is declared by its entry in :data:`bellwether.registry.MARTS`.

The any-order rule (:mod:`bellwether.invalidation`): a run also rebuilds the later rows
whose inputs changed (an earlier range landed after later ones, a restatement, a late
symbol, a re-basing). For every partition outside the run's range whose rows it rewrote,
the asset records a materialization of that partition in this run, with metadata saying
which input sessions changed and why, so the partition's page shows when and why its rows
were last written and no partition stays "materialized" with stale rows.
"""

from collections.abc import Callable

import dagster as dg

from bellwether.pipeline import build_mart_range
from bellwether.registry import MARTS
from bellwether.universe import default_universe
from checks.dagster_results import check_results, check_specs
from checks.run import MART_CHECKS
from orchestration import ui_metadata
from orchestration.partitions import keys_to_sessions, session_partitions
from orchestration.resources import WRITER_POOL, WarehouseResource
from orchestration.schemas import table_schema
from orchestration.ui_metadata import markdown_table

PREVIEW_ROWS = 25
#: At most this many partitions outside a run's range get a materialization of their own
#: per rebuild (the latest ones); the rest are summed up on the run's last partition. A
#: dividend re-bases its ticker's whole history: one event per rewritten session would be
#: 6,300 per mart at 25 years, every dividend day (minutes of a daily run, and tens of MB
#: of event log a day).
REBUILT_EVENTS_LIMIT = 63


def _rebuilt_events(asset_key: dg.AssetKey, result, run_id: str) -> list[dg.AssetMaterialization]:
    """One materialization per partition outside the run's range whose rows it rewrote,
    for the latest :data:`REBUILT_EVENTS_LIMIT` of each rebuild."""
    events = []
    for r in result.rebuilt:
        changed = (
            f"input sessions {r.changed_first}..{r.changed_last} changed"
            if r.changed_first
            else "inputs changed"
        )
        for session in r.sessions_changed[-REBUILT_EVENTS_LIMIT:]:
            events.append(
                dg.AssetMaterialization(
                    asset_key=asset_key,
                    partition=session.isoformat(),
                    description=f"Rebuilt in run {run_id}: {changed} ({r.reason}).",
                    metadata={
                        "rebuilt_because": f"{changed}: {r.reason}",
                        "rebuilt_in_run": run_id,
                        "rebuilt_range": f"{r.first}..{r.last}",
                        "tickers_rebuilt": "all" if r.tickers is None else r.tickers,
                        "log": "marts.rebuild_log",
                    },
                )
            )
    return events


def _rebuilt_summary(result) -> dict:
    """The run's rewrites of earlier partitions, for its last partition's materialization:
    empty when each rewritten partition has its own (:func:`_rebuilt_events`)."""
    beyond = [
        f"{r.sessions_changed[0]}..{r.sessions_changed[-REBUILT_EVENTS_LIMIT - 1]} "
        f"({len(r.sessions_changed) - REBUILT_EVENTS_LIMIT} sessions) because {r.reason}"
        for r in result.rebuilt
        if len(r.sessions_changed) > REBUILT_EVENTS_LIMIT
    ]
    if not beyond:
        return {}
    return {
        "rebuilt_without_own_event": dg.MetadataValue.md(
            "Earlier sessions this run also rewrote, beyond the latest "
            f"{REBUILT_EVENTS_LIMIT} of each rebuild (which have their own materialization); "
            "every session is in `marts.rebuild_log`:\n\n" + "\n".join(f"- {b}" for b in beyond)
        )
    }


def _mart_asset(
    name: str,
    charts: Callable[..., dict] | None = None,
):
    spec = MARTS[name]
    table, asset = spec.table, spec.asset
    deps = [a.split("/") for a in spec.inputs]
    description = spec.description
    checks = {c: MART_CHECKS[c] for c in spec.checks}

    @dg.asset(
        key=["marts", name],
        group_name="marts",
        deps=[dg.AssetKey(d) for d in deps],
        partitions_def=session_partitions(),
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=WRITER_POOL,
        kinds={"duckdb", "polars"},
        owners=["team:data-platform"],
        tags={"layer": "marts"},
        description=description,
        metadata={"dagster/column_schema": table_schema(table), "dagster/table_name": table},
        check_specs=check_specs(["marts", name], checks),
    )
    def _asset(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        sessions = keys_to_sessions(context.partition_keys)
        wh = warehouse.get()
        result, checked = build_mart_range(
            wh, asset, sessions, default_universe(), run_id=context.run.run_id
        )
        context.log.info(
            f"{table}: {result.rows} rows for {sessions[0]}..{sessions[-1]} (full recompute: {result.full_recompute})"
        )
        for r in result.rebuilt:
            context.log.info(
                f"{table}: rebuilt {r.first}..{r.last} ({'all' if r.tickers is None else r.tickers} "
                f"tickers) because {r.reason}; {len(r.sessions_changed)} later sessions changed"
            )
        for event in _rebuilt_events(context.asset_key, result, context.run.run_id):
            context.log_event(event)
        summary = _rebuilt_summary(result)
        # preview and charts show the last session: on that partition's event only, not
        # copied into the materialization of every partition of a range
        context.add_asset_metadata(
            {
                f"preview ({result.last_session})": dg.MetadataValue.md(
                    markdown_table(result.preview)
                ),
                # charts of the history up to the run's last session (orchestration/ui_metadata.py)
                **(charts(wh, result.last_session) if charts else {}),
            },
            partition_key=context.partition_keys[-1],
        )
        # each partition's own rows and the table's total; the build's figures are the run's
        ui_metadata.add_partition_metadata(context, wh, table)
        # the run's figures: on the last partition's materialization only
        ui_metadata.add_run_metadata(
            context, {**ui_metadata.run_totals(result.metadata()), **summary}
        )
        return dg.MaterializeResult(check_results=check_results(checked))

    return _asset


daily_returns = _mart_asset("daily_returns")
streaks = _mart_asset("streaks")
technicals = _mart_asset("technicals")
relative_performance = _mart_asset(
    "relative_performance", charts=ui_metadata.relative_strength_metadata
)
sector_performance = _mart_asset("sector_performance")
breadth = _mart_asset(
    "breadth",
    charts=lambda wh, last: ui_metadata.breadth_metadata(wh, last, default_universe()),
)
