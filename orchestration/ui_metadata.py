"""What the Dagster UI shows of a materialization: previews and charts in asset metadata.

* ``raw/daily_bars`` gets a Markdown preview of the last session's bars.
* ``marts/relative_performance`` gets the relative-strength line of ``^RUT`` against
  ``^GSPC`` (``price_ratio``; rising = small caps outperform), ``marts/breadth`` the A/D
  line with the share of members above their 50-day average, both over the last year of
  sessions up to the run's last session.

Charts come from the named queries a reader can run themselves (``relative_strength_line``,
``breadth_history`` in ``sql/queries``), are drawn by :mod:`bellwether.charts` (matplotlib,
Agg, offline) and are attached twice: as Markdown with the PNG embedded as base64 (so the
UI shows the picture) and as the path of the PNG file, written under the charts folder
(``$BELLWETHER_CHARTS``, default ``charts/`` next to the warehouse file: ``data/charts``)
as ``<asset>/<session>.png``.
"""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl

from bellwether import charts, settings
from bellwether.mdtable import pipe_table
from bellwether.queries import run_query_or_empty
from bellwether.sqlfiles import load_sql
from bellwether.universe import UniverseConfig
from bellwether.warehouse import Warehouse

#: Sessions shown in a chart (about a year).
CHART_SESSIONS = 252
#: Rows in a Markdown preview.
PREVIEW_ROWS = 25
#: The pair drawn on ``marts/relative_performance``.
RELATIVE_STRENGTH_PAIR = ("^RUT", "^GSPC")


def charts_dir(wh: Warehouse) -> Path:
    """``$BELLWETHER_CHARTS``, or ``charts/`` next to the warehouse file."""
    return settings.current().charts or wh.path.parent / "charts"


def markdown_table(frame: pl.DataFrame, rows: int = PREVIEW_ROWS) -> str:
    """A Markdown table of the first ``rows`` rows (floats rounded for reading)."""
    frame = frame.head(rows).with_columns(pl.selectors.float().round(6))
    return pipe_table(frame.columns, frame.iter_rows())


def markdown_image(png: bytes, alt: str) -> str:
    """Markdown showing ``png`` inline (a base64 data URI, which the Dagster UI renders)."""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode()})"


def chart_metadata(label: str, png: bytes, path: Path, caption: str) -> dict[str, dg.MetadataValue]:
    """Write ``png`` to ``path`` and return the two metadata entries for it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    return {
        f"chart: {label}": dg.MetadataValue.md(f"{caption}\n\n{markdown_image(png, label)}"),
        f"chart file: {label}": dg.MetadataValue.path(str(path)),
    }


def _file_token(text: str) -> str:
    return "".join(c for c in text if c.isalnum() or c in "_-")


def relative_strength_metadata(
    wh: Warehouse, last: date, pair: tuple[str, str] = RELATIVE_STRENGTH_PAIR
) -> dict[str, dg.MetadataValue]:
    """The relative-strength line of ``pair`` up to ``last`` (nothing if no rows)."""
    ticker, benchmark = pair
    with wh.connect(read_only=True) as con:
        rows = run_query_or_empty(
            con,
            "relative_strength_line",
            as_of=last,
            ticker=ticker,
            benchmark=benchmark,
            sessions=CHART_SESSIONS,
        )
    rows = rows.filter(pl.col("price_ratio").is_not_null())
    if rows.is_empty():
        return {}
    first = rows["session_date"][0]
    label = f"relative strength {ticker}/{benchmark}"
    png = charts.ratio_line(
        rows, f"{ticker} / {benchmark} price ratio, {first}..{last} (rising = {ticker} leads)"
    )
    path = (
        charts_dir(wh)
        / "relative_performance"
        / f"{_file_token(ticker)}_{_file_token(benchmark)}_{last}.png"
    )
    caption = (
        f"{ticker} close / {benchmark} close over the last {rows.height} sessions up to {last} "
        "(query `relative_strength_line`)."
    )
    return chart_metadata(label, png, path, caption)


def breadth_metadata(
    wh: Warehouse, last: date, config: UniverseConfig
) -> dict[str, dg.MetadataValue]:
    """A/D line and % above the 50-day average of each breadth universe up to ``last``."""
    out: dict[str, dg.MetadataValue] = {}
    for universe in [u.name for u in config.universes.values() if u.breadth]:
        with wh.connect(read_only=True) as con:
            rows = run_query_or_empty(
                con, "breadth_history", as_of=last, universe=universe, sessions=CHART_SESSIONS
            )
        if rows.is_empty():
            continue
        first = rows["session_date"][0]
        label = f"breadth {universe}"
        png = charts.breadth_lines(
            rows, f"{universe}: A/D line and % above 50-day SMA, {first}..{last}"
        )
        path = charts_dir(wh) / "breadth" / f"{_file_token(universe)}_{last}.png"
        caption = (
            f"Advance/decline line and share of members above their 50-day average, {universe}, "
            f"last {rows.height} sessions up to {last} (query `breadth_history`)."
        )
        out.update(chart_metadata(label, png, path, caption))
    return out


def daily_bars_preview(wh: Warehouse, last: date) -> dict[str, dg.MetadataValue]:
    """A Markdown preview of session ``last`` in ``raw.daily_bars`` (indices, ETFs, stocks)."""
    with wh.connect(read_only=True) as con:
        rows = con.sql(load_sql("ui/daily_bars_preview"), params=[last, PREVIEW_ROWS]).pl()
    if rows.is_empty():
        return {}
    total = rows["bars_in_session"][0]
    text = markdown_table(rows.drop("bars_in_session"))
    text += f"\n\n{rows.height} of {total} bars of {last} (indices, then ETFs, then stocks)."
    return {f"preview ({last})": dg.MetadataValue.md(text)}


#: Label of the table's total row count, on the run's last partition's materialization.
TABLE_ROWS = "table: total rows"
#: Prefix of the figures about the whole run (a range run covers many partitions).
RUN_PREFIX = "run: "


def session_row_counts(
    wh: Warehouse, table: str, sessions: list[date]
) -> tuple[dict[date, int], int]:
    """Rows of ``table`` on each of ``sessions`` (0 when none) and the table's total rows,
    from ONE query (``sql/ui/rows_per_session``: the sessions' row groups and the table's
    row count, not every session grouped)."""
    first, last = min(sessions), max(sessions)
    with wh.connect(read_only=True) as con:
        rows = con.execute(
            load_sql("ui/rows_per_session"), {"table": table, "first": first, "last": last}
        ).fetchall()
    per_session = {d: n for d, n in rows if d is not None}
    total = next((n for d, n in rows if d is None), 0)
    return {s: per_session.get(s, 0) for s in sessions}, total


def partition_metadata(
    wh: Warehouse, table: str, partition_keys: list[str]
) -> dict[str, dict[str, dg.MetadataValue]]:
    """What each partition's materialization says about itself: its rows in ``table``
    (``dagster/row_count``, what the UI shows as the partition's row count); the run's
    last partition also carries the table's total rows after the run (labelled as the
    table's; the asset's overview shows the latest materialization).

    Nothing else is repeated per partition: the partition key is the session, and every
    entry is stored in each of the range's events (twice: the run's shard and the index),
    so an entry per partition costs a 10-year backfill about 17,600 copies per label."""
    sessions = {k: date.fromisoformat(k) for k in partition_keys}
    counts, total = session_row_counts(wh, table, list(sessions.values()))
    out: dict[str, dict[str, dg.MetadataValue]] = {
        k: {"dagster/row_count": dg.MetadataValue.int(counts[s])} for k, s in sessions.items()
    }
    out[max(sessions)][TABLE_ROWS] = dg.MetadataValue.int(total)
    return out


def add_partition_metadata(context: dg.AssetExecutionContext, wh: Warehouse, table: str) -> None:
    """Attach :func:`partition_metadata` to each partition of the run's materializations."""
    add_metadata_by_partition(context, partition_metadata(wh, table, list(context.partition_keys)))


def add_run_metadata(context: dg.AssetExecutionContext, metadata: dict) -> None:
    """Attach a run's figures to the materialization of the run's last partition only.

    ``MaterializeResult(metadata=...)`` would copy them into the materialization of every
    partition of the range: the event log of a 10-year backfill would hold the run's
    figures 2,500 times per asset (most of its size). A single-partition run (the daily
    run) shows them on its partition as before."""
    add_metadata_by_partition(context, {max(context.partition_keys): metadata})


def add_metadata_by_partition(
    context: dg.AssetExecutionContext, by_partition: dict[str, dict]
) -> None:
    """``context.add_asset_metadata(metadata, partition_key=key)`` for every ``key`` of
    ``by_partition`` (each a partition of the run), in one update.

    Dagster 1.13's ``add_asset_metadata`` lists every partition key of the run's range to
    check the key, and copies and re-validates the metadata of every partition added so far,
    on each call: a range of N sessions costs O(N^2) (about 10 s for 624 sessions x 9 assets,
    minutes at 2,500 sessions; ``bench/dagster_repro.py --metadata``). Here the keys are
    checked once and the step's metadata accumulator (Dagster's own record, the one
    ``add_asset_metadata`` updates) is rebuilt once; if Dagster's internals differ from
    1.13's, the public call is used for each key instead.
    """
    from dagster._core.execution.context.metadata_logging import (
        AssetMetadataHandle,
        OutputMetadataAccumulator,
    )

    targeted = set(context.partition_keys)
    unknown = sorted(set(by_partition) - targeted)
    if unknown:
        raise ValueError(f"partitions not targeted by the run: {unknown[:5]}")
    step = getattr(context, "_step_execution_context", None)
    accumulator = getattr(step, "_metadata_accumulator", None)
    if not isinstance(accumulator, OutputMetadataAccumulator):
        for key, metadata in by_partition.items():
            context.add_asset_metadata(metadata, partition_key=key)
        return
    merged = dict(accumulator.per_output_metadata)
    for key, metadata in by_partition.items():
        handle = AssetMetadataHandle(asset_key=context.asset_key, partition_key=key)
        merged[handle] = {**merged.get(handle, {}), **metadata}
    step._metadata_accumulator = OutputMetadataAccumulator(per_output_metadata=merged)


def run_totals(metadata: dict) -> dict:
    """A run's figures labelled as the run's: every partition of a range run carries them,
    so ``dagster/row_count`` (the partition's own rows, :func:`partition_metadata`) becomes
    ``run: rows`` and ``first_session`` becomes ``run: first_session``."""
    out = {}
    for key, value in metadata.items():
        if key == "dagster/row_count":
            out[f"{RUN_PREFIX}rows"] = value
        elif key.startswith("dagster/") or key.startswith(RUN_PREFIX):
            out[key] = value
        else:
            out[f"{RUN_PREFIX}{key}"] = value
    return out
