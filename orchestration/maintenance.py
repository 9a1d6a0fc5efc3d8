"""The weekly compaction: ``bellwether_compact``, a job of one op on a schedule of its own.

Splits and backfills of older sessions leave rows out of session order, and every
one-session read then scans more row groups (``bellwether.compaction``). On Sundays, when
no session closes and the Saturday audit is done, the op measures every session table,
rewrites in session order those whose scan factor reached the threshold, and publishes, so
readers get the compacted tables with the next state (the other kept generations are
compacted by the publishes after it). It takes the ``duckdb_writer`` pool like every step
that writes, so it never runs beside a daily run or a backfill. Also from the Launchpad
(config ``threshold``, ``force``, ``tables``) and ``bellwether compact``.
"""

# no ``from __future__ import annotations`` here: Dagster reads the op's config annotation
# (``CompactConfig``) as a class
import dagster as dg
from pydantic import Field

from bellwether.compaction import COMPACT_AT, compact, layout_table
from bellwether.publish import PublishDeferred
from orchestration.resources import WRITER_POOL, WarehouseResource

JOB_NAME = "bellwether_compact"
SCHEDULE_NAME = "bellwether_weekly_compact"
#: Sundays 06:00 New York: no session closes, the Saturday audit is done.
SCHEDULE_CRON = "0 6 * * 0"
SCHEDULE_TIMEZONE = "America/New_York"


class CompactConfig(dg.Config):
    """What to compact (``bellwether.compaction``)."""

    threshold: float = Field(
        default=COMPACT_AT,
        gt=1.0,
        description="Compact a table when a one-session read scans this many row groups on "
        "average (1.0 in session order)",
    )
    force: bool = Field(default=False, description="Compact every table whatever its layout")
    tables: list[str] | None = Field(
        default=None, description="Only these tables (schema.table); default every session table"
    )


@dg.op(
    pool=WRITER_POOL,
    description="Measure every session table's layout, rewrite in session order those whose "
    "one-session reads scan too many row groups, publish (bellwether.compaction).",
    tags={"kind": "duckdb"},
)
def compact_session_tables(
    context: dg.OpExecutionContext, config: CompactConfig, warehouse: WarehouseResource
) -> dg.Output[list[str]]:
    found, done = compact(
        warehouse.get(), context.run.run_id,
        threshold=config.threshold, force=config.force, tables=config.tables,
    )  # fmt: skip
    compacted = [c.before.table for c in done]
    table = layout_table(found, done)
    context.log.info(
        f"compacted {len(done)} of {len(found)} session tables"
        + (f": {', '.join(compacted)}" if done else "")
    )
    published = "nothing compacted"
    if done:
        try:
            state = warehouse.publish_run(context, [])
            published = f"{state.label()} by {state.method} in {state.seconds} s"
        except PublishDeferred as deferred:
            published = str(deferred)
            context.log.warning(published)
    return dg.Output(
        sorted(compacted),
        metadata={
            "tables_compacted": len(done),
            "seconds": round(sum(c.seconds for c in done), 3),
            "threshold": config.threshold,
            "layouts": dg.MetadataValue.md(table),
            "published": published,
        },
    )


@dg.job(
    name=JOB_NAME,
    description="Rewrite in session order the session tables whose rows drifted out of it "
    "(splits, backfills of older sessions), then publish (bellwether.compaction).",
)
def compact_job() -> None:
    compact_session_tables()


compact_schedule = dg.ScheduleDefinition(
    name=SCHEDULE_NAME,
    job=compact_job,
    cron_schedule=SCHEDULE_CRON,
    execution_timezone=SCHEDULE_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Sundays 06:00 New York: compaction of the session tables whose one-session "
    "reads scan too many row groups (bellwether.compaction).",
)
