"""``reports/market_brief``: the verifiable daily market brief, one per NYSE session."""

import base64
from datetime import date

import dagster as dg

from bellwether.brief.build import build_brief
from bellwether.publish import current_state, is_deferred
from bellwether.registry import MARTS
from bellwether.settings import reports_dir
from bellwether.universe import default_universe
from orchestration.partitions import keys_to_sessions, session_partitions
from orchestration.resources import WRITER_POOL, WarehouseResource
from orchestration.ui_metadata import add_metadata_by_partition, add_run_metadata

#: The sessions at the end of a run's range whose briefs the run writes (a daily run and
#: its catch-up write all of theirs). The earlier sessions of a longer range (a backfill of
#: the daily job) are written lazily, on demand: ``bellwether brief --date <session>`` (a
#: brief costs about a second: some thirty named queries and four charts).
EAGER_BRIEFS = 5


@dg.asset(
    key=["reports", "market_brief"],
    group_name="reports",
    deps=[dg.AssetKey(spec.asset.split("/")) for spec in MARTS.values()]
    # reads the published warehouse: after this run's publish, so it reads that state
    + [dg.AssetKey(["warehouse", "published"])],
    partitions_def=session_partitions(),
    backfill_policy=dg.BackfillPolicy.single_run(),
    # it only reads the warehouse, but DuckDB refuses a reader while another process
    # writes: queue with the writers rather than wait on the file lock
    pool=WRITER_POOL,
    kinds={"markdown", "html"},
    owners=["team:data-platform"],
    tags={"layer": "reports"},
    description=(
        "The market brief of each session: reports/<session>.md, .html (charts embedded) and .json. "
        "Every figure is a cell of a named query in sql/queries/ and is footnoted with it; sessions "
        "or rows withheld by the quality gate say so instead of printing a number. A run writes "
        "the briefs of the last 5 sessions of its range; earlier sessions of a longer range are "
        "written on demand (`bellwether brief --date <session>`, their partitions say so)."
    ),
)
def market_brief(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    universe = default_universe()
    folder = reports_dir()
    published = warehouse.published_path()
    if is_deferred(context.run.run_id, published):
        # another run was still writing: its publish holds this run's results and its brief
        # step writes this run's briefs (bellwether.publish.PublishDeferred)
        context.log.warning("this run's publish was deferred: its briefs come with that state")
        return dg.MaterializeResult(metadata={"run: briefs_written": 0, "run: deferred": True})
    state = current_state(published)
    absorbed = sorted(
        {date.fromisoformat(d) for days in state.absorbed.values() for d in days}
        if state is not None and state.run_id == context.run.run_id
        else set()
    )  # the sessions of runs whose publish was deferred to this run's
    for session in absorbed:
        brief, paths = build_brief(warehouse.get_published(), session, universe, folder)
        context.log.info(f"brief {brief.session} of a deferred run -> {paths['html']}")
    written = []
    by_partition: dict[str, dict] = {}
    pairs = list(
        zip(sorted(context.partition_keys), keys_to_sessions(context.partition_keys), strict=True)
    )
    eager = pairs[-EAGER_BRIEFS:]
    for key, _session in pairs[: len(pairs) - len(eager)]:
        # an earlier session of a long range: its brief is written when asked for
        by_partition[key] = {
            "session": key,
            "status": "on demand",
            "write it": f"bellwether brief --date {key}",
        }
    if len(pairs) > len(eager):
        context.log.info(
            f"briefs of {pairs[0][0]}..{pairs[-len(eager) - 1][0]} on demand "
            "(bellwether brief --date <session>)"
        )
    for key, session in eager:
        brief, paths = build_brief(warehouse.get_published(), session, universe, folder)
        written.append((brief, paths))
        context.log.info(
            f"brief {brief.session}: {len(brief.figures)} figures, status {brief.status} -> {paths['html']}"
        )
        # each partition's materialization describes its own brief
        by_partition[key] = {
            "session": str(brief.session),
            "brief": dg.MetadataValue.path(str(paths["html"])),
            "figures": len(brief.figures),
            "status": brief.status,
        }
    add_metadata_by_partition(context, by_partition)
    brief, paths = written[-1]
    # the text and charts of the run's last brief, on that partition only
    last: dict = {"markdown": dg.MetadataValue.md(paths["md"].read_text()[:20000])}
    for name, png in brief.charts.items():
        last[f"chart: {name}"] = dg.MetadataValue.md(
            f"![{name}](data:image/png;base64,{base64.b64encode(png).decode()})"
        )
    context.add_asset_metadata(last, partition_key=max(context.partition_keys))
    add_run_metadata(
        context,
        {
            "run: briefs_written": len(written),
            "run: briefs_on_demand": len(pairs) - len(written),
            "run: last_brief": dg.MetadataValue.path(str(paths["html"])),
            "run: briefs_of_deferred_runs": ", ".join(map(str, absorbed)) or "none",
        },
    )
    return dg.MaterializeResult()
