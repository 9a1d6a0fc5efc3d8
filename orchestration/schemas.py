"""Column schemas of warehouse tables, read from the DDL in ``sql/`` (never restated).

Used for Dagster's ``dagster/column_schema`` metadata so the UI shows each table's columns.
Each column's description is generated from the ONE place the definitions live,
``docs/METRICS.md``: every Markdown table there whose header starts with
``| table | column | definition`` (the marts' columns, and the raw and quality tables'),
read as definition, window, price basis and units. Nothing is restated here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import dagster as dg
import duckdb

from bellwether.settings import DOCS_DIR
from bellwether.sqlfiles import load_sql
from bellwether.warehouse import STORED_BEHIND_VIEWS, apply_schema, stored_table

#: Where the column definitions live.
METRICS_DOC: Path = DOCS_DIR / "METRICS.md"


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
    # a view's columns are all nullable to DuckDB: those of a table stored behind a view
    # are what its stored table enforces
    for view in STORED_BEHIND_VIEWS:
        stored = {c: n for c, _, n in out.get(stored_table(view), [])}
        out[view] = [(c, t, stored.get(c, n)) for c, t, n in out.get(view, [])]
    return out


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_column_docs(markdown: str) -> dict[str, dict[str, str]]:
    """``{schema.table: {column: description}}`` from the column tables of ``markdown``.

    A table name without a schema is a mart (``daily_returns`` -> ``marts.daily_returns``).
    The description is the definition, then the window, price basis and units where given
    (``-`` means not applicable and is left out)."""
    out: dict[str, dict[str, str]] = {}
    header: list[str] | None = None
    for line in markdown.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = _cells(line)
        if header is None:
            names = [c.lower() for c in cells]
            known = len(names) >= 3 and names[:2] == ["table", "column"]
            header = names if known and names[2].startswith("definition") else []
            continue
        if not header or set(line) <= set("|-: "):
            continue
        row = dict(zip(header, cells, strict=False))
        table = row["table"] if "." in row["table"] else f"marts.{row['table']}"
        extras = [
            f"{label}: {row[key]}"
            for key, label in (("window", "window"), ("price basis", "basis"), ("units", "units"))
            if row.get(key) and row[key] != "-"
        ]
        text = row[header[2]]
        text = text.rstrip(".") + "." + (f" ({'; '.join(extras)})" if extras else "")
        out.setdefault(table, {})[row["column"]] = text
    return out


@cache
def column_docs() -> dict[str, dict[str, str]]:
    """The column descriptions of ``docs/METRICS.md`` (see :func:`parse_column_docs`)."""
    return parse_column_docs(METRICS_DOC.read_text())


def table_schema(table: str) -> dg.TableSchema:
    """The Dagster TableSchema of ``schema.table`` as created by ``sql/``, each column
    described as ``docs/METRICS.md`` defines it."""
    cols = _columns()[table]
    docs = column_docs().get(table, {})
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=c,
                type=t,
                description=docs.get(c),
                constraints=dg.TableColumnConstraints(nullable=n),
            )
            for c, t, n in cols
        ]
    )
