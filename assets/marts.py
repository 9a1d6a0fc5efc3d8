"""Mart assets: market-internals metrics per NYSE session, computed by pure polars functions.

Each asset reads only the lookback (or stored seed) its windows need, computes its
partition range vectorized chunk by chunk (:mod:`bellwether.chunks`), and replaces each
chunk's sessions in its table in one transaction (see :mod:`bellwether.marts` and
:func:`bellwether.pipeline.build_mart_range`). Definitions: ``docs/METRICS.md``.
"""

from collections.abc import Callable

import dagster as dg

from bellwether import ui_metadata
from bellwether.partitions import keys_to_sessions, session_partitions
from bellwether.pipeline import build_mart_range
from bellwether.quality.dagster_results import check_results, check_specs
from bellwether.quality.run import MART_CHECKS, PER_TICKER_MARTS
from bellwether.resources import WRITER_POOL, WarehouseResource
from bellwether.schemas import table_schema
from bellwether.ui_metadata import markdown_table
from bellwether.universe import default_universe

PREVIEW_ROWS = 25


def _mart_asset(
    name: str,
    deps: list[list[str]],
    description: str,
    charts: Callable[..., dict] | None = None,
):
    table = f"marts.{name}"
    asset = f"marts/{name}"
    checks = {"unique_key": MART_CHECKS["unique_key"]}
    if asset in PER_TICKER_MARTS:
        checks["coverage"] = MART_CHECKS["coverage"]
    if name == "breadth":
        checks["breadth_identity"] = MART_CHECKS["breadth_identity"]

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
        # preview and charts show the last session: on that partition's event only, not
        # copied into the materialization of every partition of a range
        context.add_asset_metadata(
            {
                f"preview ({result.last_session})": dg.MetadataValue.md(
                    markdown_table(result.preview)
                ),
                # charts of the history up to the run's last session (bellwether/ui_metadata.py)
                **(charts(wh, result.last_session) if charts else {}),
            },
            partition_key=context.partition_keys[-1],
        )
        # each partition's own rows and the table's total; the build's figures are the run's
        ui_metadata.add_partition_metadata(context, wh, table)
        return dg.MaterializeResult(
            check_results=check_results(checked), metadata=ui_metadata.run_totals(result.metadata())
        )

    return _asset


RAW = ["raw", "daily_bars"]

daily_returns = _mart_asset(
    "daily_returns", [RAW],
    "Price returns on close (1d, log 1d, 5d, 21d, MTD, YTD, 52w) and total returns on adj_close (1d, YTD), as fractions.",
)  # fmt: skip
streaks = _mart_asset(
    "streaks", [RAW],
    "Consecutive up/down closes at the instrument's published precision; an unchanged close ends both.",
)  # fmt: skip
technicals = _mart_asset(
    "technicals", [RAW],
    "SMA 20/50/200, Wilder RSI 14, intraday 52-week high/low, average volume (to the previous session), "
    "20-day volatility and record closes.",
)  # fmt: skip
relative_performance = _mart_asset(
    "relative_performance", [["marts", "daily_returns"]],
    "Configured ticker/benchmark pairs: excess return, price ratio, outperformance runs, YTD gap.",
    charts=ui_metadata.relative_strength_metadata,
)  # fmt: skip
sector_performance = _mart_asset(
    "sector_performance", [["marts", "daily_returns"]],
    "The SPDR sector ETFs' daily and YTD returns ranked by the day's move.",
)  # fmt: skip
breadth = _mart_asset(
    "breadth", [["marts", "streaks"], ["marts", "technicals"]],
    "Advance/decline, A/D line, McClellan oscillator, % above 20/50/200-day averages and 52-week "
    "highs/lows over each breadth universe.",
    charts=lambda wh, last: ui_metadata.breadth_metadata(wh, last, default_universe()),
)  # fmt: skip
