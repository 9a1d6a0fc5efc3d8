"""``raw/daily_bars``: daily OHLCV bars landed into DuckDB, one partition per NYSE session."""

from datetime import UTC, datetime

import dagster as dg
import polars as pl

from bellwether.landing import land_fetch
from bellwether.partitions import keys_to_sessions, session_partitions
from bellwether.quality.dagster_results import check_results, check_specs
from bellwether.quality.run import RAW_CHECKS, run_raw_checks
from bellwether.reference import refresh_reference_tables
from bellwether.resources import WRITER_POOL, BarSourceResource, WarehouseResource
from bellwether.schemas import table_schema
from bellwether.symbols import validate_symbols
from bellwether.ui_metadata import daily_bars_preview
from bellwether.universe import default_universe


@dg.asset(
    key=["raw", "daily_bars"],
    group_name="raw",
    partitions_def=session_partitions(),
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=WRITER_POOL,
    kinds={"duckdb", "polars"},
    owners=["team:data-platform"],
    tags={"layer": "raw"},
    description=(
        "Daily OHLCV bars for every configured instrument, one partition per NYSE session, in "
        "`raw.daily_bars` (key `(ticker, session_date)`). A range materializes in ONE run with one "
        "download per batch of symbols; re-materializing replaces exactly the delivered bars in one "
        "transaction. Rejected rows go to `raw.rejected_bars`, each landing is logged in "
        "`raw.ingest_runs`, and the source response is archived as Parquet."
    ),
    metadata={
        "dagster/column_schema": table_schema("raw.daily_bars"),
        "dagster/table_name": "raw.daily_bars",
    },
    check_specs=check_specs(
        ["raw", "daily_bars"], {**RAW_CHECKS, "freshness": "the latest closed session is landed"}
    ),
)
def daily_bars(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, source: BarSourceResource
) -> dg.MaterializeResult:
    sessions = keys_to_sessions(context.partition_keys)
    universe = default_universe()
    symbols = validate_symbols(universe.symbols)
    src = source.build()
    context.log.info(
        f"fetching {len(symbols)} symbols for {len(sessions)} sessions {sessions[0]}..{sessions[-1]} from {src.name}"
    )
    result = src.fetch(symbols, sessions[0], sessions[-1])
    wh = warehouse.get()
    report = land_fetch(
        wh, result, sessions=sessions, symbols=symbols, run_id=context.run.run_id,
        archive_root=warehouse.archive_root(), now=datetime.now(UTC),
    )  # fmt: skip
    refresh_reference_tables(wh, universe)
    context.log.info(report.summary())
    checked = run_raw_checks(
        wh,
        sessions[0],
        sessions[-1],
        universe,
        ingest_id=report.ingest_id,
        run_id=context.run.run_id,
    )
    failed = checked.results.filter(~pl.col("passed"))
    context.log.info(
        f"quality: {checked.results.height} check results, {failed.height} failed "
        f"({failed.filter(pl.col('severity') == 'error').height} blocking)"
    )
    if report.failed:
        context.log.warning(f"symbols that delivered nothing: {report.failed}")
    return dg.MaterializeResult(
        check_results=check_results(checked.results, checked.docs_page),
        metadata={
            "dagster/row_count": report.rows_landed,
            "source": report.source,
            "sessions": report.sessions,
            "first_session": str(report.start),
            "last_session": str(report.end),
            "symbols_requested": len(report.symbols_requested),
            "symbols_received": len(report.symbols_received),
            "symbols_failed": dg.MetadataValue.json(report.failed),
            "rows_rejected": report.rows_rejected,
            "reject_reasons": dg.MetadataValue.json(report.reject_reasons),
            "corporate_actions": report.actions_landed,
            "ingest_id": report.ingest_id,
            "archive": dg.MetadataValue.path(report.archive_path or ""),
            "warehouse": dg.MetadataValue.path(str(wh.path)),
            **daily_bars_preview(wh, sessions[-1]),
        },
    )
