"""Column schemas of warehouse tables, read from the DDL in ``sql/`` (never restated).

Used for Dagster's ``dagster/column_schema`` metadata so the UI shows each table's columns.
"""

from __future__ import annotations

from functools import cache

import dagster as dg
import duckdb

from bellwether.sqlfiles import load_sql
from bellwether.warehouse import apply_schema


@cache
def _columns() -> dict[str, list[tuple[str, str, bool]]]:
    con = duckdb.connect(":memory:")
    try:
        apply_schema(con)
        rows = con.execute(load_sql("catalog/table_columns")).fetchall()
    finally:
        con.close()
    out: dict[str, list[tuple[str, str, bool]]] = {}
    for table, column, dtype, nullable in rows:
        out.setdefault(table, []).append((column, dtype, nullable))
    return out


def table_schema(table: str) -> dg.TableSchema:
    """The Dagster TableSchema of ``schema.table`` as created by ``sql/``."""
    cols = _columns()[table]
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=c, type=t, constraints=dg.TableColumnConstraints(nullable=n))
            for c, t, n in cols
        ]
    )
