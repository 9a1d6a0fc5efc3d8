"""``quality/check_results``: the per-session truth of every data-quality check, in the UI.

Dagster records a range run's asset check once, without a partition; the per-session
results are kept in ``dq.check_results`` by the raw and mart assets. This asset runs after
them (it depends on every raw and mart asset) and shows, for the run's sessions, which
sessions failed which check and why, read-only. See ``docs/QUALITY.md``.
"""

import dagster as dg
import polars as pl

from bellwether.queries import run_query
from bellwether.registry import MARTS
from bellwether.sqlfiles import load_sql
from orchestration.partitions import keys_to_sessions, session_partitions
from orchestration.resources import WRITER_POOL, WarehouseResource
from orchestration.schemas import table_schema
from orchestration.ui_metadata import (
    PREVIEW_ROWS,
    add_partition_metadata,
    add_run_metadata,
    markdown_table,
)

CHECKED = [["raw", "daily_bars"], *(spec.asset.split("/") for spec in MARTS.values())]


@dg.asset(
    key=["quality", "check_results"],
    group_name="quality",
    deps=[dg.AssetKey(k) for k in CHECKED],
    partitions_def=session_partitions(),
    backfill_policy=dg.BackfillPolicy.single_run(),
    # Read-only, but DuckDB refuses a reader while another process writes the file: take the
    # writer's slot so a concurrent run's write waits instead of failing this read.
    pool=WRITER_POOL,
    kinds={"duckdb", "polars"},
    owners=["team:data-platform"],
    tags={"layer": "quality"},
    description=(
        "Which sessions failed which data-quality check, and why: the per-session results in "
        "`dq.check_results` (written by the raw and mart assets' checks) summarized for the "
        "run's sessions. Severity `error` withholds rows or sessions from the marts, `warn` "
        "does not (docs/QUALITY.md). Read-only."
    ),
    metadata={
        "dagster/column_schema": table_schema("dq.check_results"),
        "dagster/table_name": "dq.check_results",
    },
)
def check_results(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    sessions = keys_to_sessions(context.partition_keys)
    first, last = sessions[0], sessions[-1]
    wh = warehouse.get()
    with wh.connect(read_only=True) as con:
        summary = con.sql(load_sql("ui/check_summary"), params=[first, last]).pl()
        failed = run_query(con, "failed_checks", start_date=first, end_date=last)
    rows = int(summary["sessions_checked"].sum()) if summary.height else 0
    blocking = failed.filter(pl.col("severity") == "error")
    context.log.info(
        f"dq.check_results {first}..{last}: {rows} results, {failed.height} failed "
        f"({blocking.height} blocking)"
    )
    shown = failed.select("session_date", "asset", "check", "severity", "message")
    # each partition's own results and the table's total; the "run: " figures are the run's
    add_partition_metadata(context, wh, "dq.check_results")
    # the run's figures: on the last partition's materialization only
    add_run_metadata(
        context,
        {
            "run: results": rows,
            "run: first_session": str(first),
            "run: last_session": str(last),
            "failed_results": failed.height,
            "blocking_failures": blocking.height,
            "sessions_with_blocking_failures": blocking["session_date"].n_unique(),
            "checks": dg.MetadataValue.md(markdown_table(summary, rows=100)),
            "failed (first rows)": dg.MetadataValue.md(
                (markdown_table(shown, rows=PREVIEW_ROWS) if failed.height else "none")
                + f"\n\n{min(failed.height, PREVIEW_ROWS)} of {failed.height} failed results; "
                "all of them: sql/queries/failed_checks.sql"
            ),
        },
    )
    return dg.MaterializeResult()
