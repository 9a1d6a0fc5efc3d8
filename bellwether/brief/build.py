"""Writing the brief of a session from a warehouse (used by the asset and the CLI)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from bellwether.brief.compose import compose_brief
from bellwether.brief.model import Brief
from bellwether.brief.render import write_brief
from bellwether.publish import published_state
from bellwether.queries import run_query
from bellwether.universe import UniverseConfig
from bellwether.warehouse import Warehouse


def build_brief(
    wh: Warehouse, as_of: date, universe: UniverseConfig, folder: Path
) -> tuple[Brief, dict[str, Path]]:
    """Compose the brief for the last session on or before ``as_of`` and write it to ``folder``.

    ``wh`` is normally the published warehouse; the JSON then names the published state the
    brief was built from (``published_state``: ``null`` for any other warehouse file)."""
    with wh.connect(read_only=True) as con:
        brief = compose_brief(con, as_of, universe)
        state = published_state(con)
    paths = write_brief(brief, folder)
    doc = json.loads(paths["json"].read_text())
    doc["published_state"] = None if state is None else state.to_json() | {"path": str(wh.path)}
    paths["json"].write_text(json.dumps(doc, indent=2))
    return brief, paths


def figure_value(con: duckdb.DuckDBPyConnection, figure: dict) -> Any:
    """Re-derive one footnoted figure of a brief's JSON (an element of ``figures``: its
    ``query``, ``params``, ``key`` and ``column``) from the warehouse ``con`` opens: the
    cell of the named query's row whose key columns equal ``key``, as the JSON writes it
    (dates as ISO strings). Open the state the brief names with
    :func:`bellwether.publish.open_state` to get the number the brief printed. Raises
    :class:`LookupError` when no row or more than one has that key."""
    rows = run_query(con, figure["query"], **figure["params"])
    for column, value in figure["key"].items():
        rows = rows.filter(pl.col(column).cast(pl.String) == str(value))
    if rows.height != 1:
        raise LookupError(
            f"{figure['query']} {figure['params']}: {rows.height} rows with key {figure['key']}"
        )
    value = rows[figure["column"]][0]
    return value.isoformat() if isinstance(value, date | datetime) else value
