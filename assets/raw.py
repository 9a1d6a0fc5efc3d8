"""``raw/daily_bars``: daily OHLCV bars landed into DuckDB, one partition per NYSE session."""

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

import dagster as dg
import polars as pl

from bellwether import settings
from bellwether.landing import LandingReport
from bellwether.landing_outcome import nothing_landed_message, sessions_without_bars
from bellwether.pipeline import land_range
from bellwether.symbols import validate_symbols
from bellwether.universe import default_universe
from checks.dagster_results import check_results, check_specs
from checks.run import RAW_CHECKS
from orchestration.partitions import keys_to_sessions, session_partitions
from orchestration.resources import WRITER_POOL, BarSourceResource, WarehouseResource
from orchestration.schemas import table_schema
from orchestration.ui_metadata import add_partition_metadata, add_run_metadata, daily_bars_preview


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
    check_specs=check_specs(["raw", "daily_bars"], [*RAW_CHECKS, "freshness"]),
)
def daily_bars(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, source: BarSourceResource
) -> dg.MaterializeResult:
    sessions = keys_to_sessions(context.partition_keys)
    universe = default_universe()
    symbols = validate_symbols(universe.symbols)
    src = source.build()
    wh = warehouse.get()
    context.log.info(
        f"fetching {len(symbols)} symbols for {len(sessions)} sessions {sessions[0]}..{sessions[-1]} "
        f"from {src.name}"
    )
    # the scheduled daily run also re-fetches the trailing sessions (corrections after the close)
    scheduled = context.run.tags.get("bellwether/trigger") == "schedule"
    trailing = settings.trailing_sessions() if scheduled else 0
    landed = land_range(
        wh, src, universe, sessions, symbols, archive_root=warehouse.archive_root(),
        run_id=context.run.run_id, now=datetime.now(UTC), trailing_sessions=trailing,
    )  # fmt: skip
    context.log.info(landed.summary())
    if landed.trailing is not None:
        t = landed.trailing
        context.log.info(
            f"trailing re-land {t.start}..{t.end}: "
            f"{t.rows_changed.bars_written if t.rows_changed else 0} bars changed, "
            f"{t.rows_changed.bars_unchanged if t.rows_changed else 0} unchanged"
        )
    # a session that landed none of its bars fails the run (not a green, empty partition)
    fail_if_nothing_landed(landed.reports, sessions, getattr(src, "data_end", lambda: None))
    results = landed.check_results
    failed = results.filter(~pl.col("passed"))
    context.log.info(
        f"quality: {results.height} check results, {failed.height} failed "
        f"({failed.filter(pl.col('severity') == 'error').height} blocking)"
    )
    if landed.failed:
        context.log.warning(f"symbols that delivered nothing: {landed.failed}")
    # the preview is about the last session: on that partition's event only, not copied
    # into the materialization of every partition of a range
    context.add_asset_metadata(
        daily_bars_preview(wh, sessions[-1]), partition_key=context.partition_keys[-1]
    )
    # each partition's own rows and the table's total; the "run: " figures are the run's
    add_partition_metadata(context, wh, "raw.daily_bars")
    reports = landed.reports
    # the run's figures: on the last partition's materialization only
    add_run_metadata(
        context,
        {
            "run: rows landed": landed.rows_landed,
            "source": reports[0].source,
            "run: sessions": len(sessions),
            "run: first_session": str(sessions[0]),
            "run: last_session": str(sessions[-1]),
            "chunks": len(reports),
            "symbols_requested": len(symbols),
            "symbols_received": len(landed.symbols_received),
            "symbols_failed": dg.MetadataValue.json(landed.failed),
            "rows_rejected": landed.rows_rejected,
            "reject_reasons": dg.MetadataValue.json(landed.reject_reasons),
            "corporate_actions": landed.actions_landed,
            "ingest_id": ", ".join(r.ingest_id for r in reports),
            "archive": dg.MetadataValue.path(reports[-1].archive_path or ""),
            "warehouse": dg.MetadataValue.path(str(wh.path)),
        },
    )
    return dg.MaterializeResult(check_results=check_results(results, landed.docs_page))


def fail_if_nothing_landed(
    reports: Sequence[LandingReport],
    sessions: Sequence[date],
    source_end: Callable[[], date | None] = lambda: None,
) -> None:
    """Raise a Dagster failure naming the sessions that landed nothing (see module doc).

    ``source_end`` (the source's last date, read only when a session is empty) tells a
    session past the end of the source's data from one the source skipped."""
    empty = sessions_without_bars(reports, sessions)
    if not empty:
        return
    empty = sessions_without_bars(reports, sessions, source_end())
    raise dg.Failure(
        description=nothing_landed_message(empty, sessions),
        metadata={
            "sessions_without_bars": dg.MetadataValue.json(
                {str(s): why for s, why in list(empty.items())[:200]}
            ),
            "sessions_requested": len(sessions),
        },
        allow_retries=False,
    )
