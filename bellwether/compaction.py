"""Keeping the session tables in session order (compaction).

The tables keyed by session (``raw.daily_bars``, the marts, their state tables,
``dq.check_results``) are written one session after the other, so their rows lie in session
order and a one-session read (a brief, ``bw.*`` on one date, every named query) scans one or
two row groups: DuckDB skips the others by their session range. Two writes break that order:

* a corporate action that re-bases a ticker's history (a split above all) rewrites that
  ticker's bars (``sql/landing/replace_rebased_bars.sql``) and rebuilds its rows of every mart
  that stores a price, deleted where they were and appended at the end: the last row groups
  then hold whole ticker histories and span every session;
* a backfill of older sessions appends them after the newer ones.

Every one-session read then scans those row groups too. Measured at 3,000 stocks x 25
years, after about a year of splits (250 tickers' histories moved so, ``bench/compaction.py``):
``technicals_snapshot`` 14.3 ms warm and 27.4 ms cold, 7.3 and 7.7 once compacted;
``daily_moves`` 15.9 and 39.8, 7.9 and 9.7 (docs/OPERATIONS.md, "Compaction").

**The measure.** A table's *scan factor* (``sql/maintenance/table_layout.sql``) is the sum of
its row groups' session spans (days) over the table's span (days): the average number of row
groups whose session range covers a day, what a one-session read scans. 1.0 in session
order; each row group of whole ticker histories adds about 1.

**The compaction** (:func:`compact`) rewrites each table whose scan factor reached the
threshold (:data:`COMPACT_AT`) in session order, then by its key, in one transaction: the
table is renamed aside, created anew from its own ``CREATE TABLE`` statement as DuckDB holds
it (columns, defaults, checks, key), its rows inserted in order, the renamed table dropped,
and the compaction recorded in ``dq.table_compactions``. A failure or a kill at any point
leaves the table as it was. 10 s for the 19 M rows of ``marts.daily_returns`` at 3000 x 25
years; deleting and re-inserting the rows in place took 58 s (every key re-indexed twice). Its sorts
use at most 3 GB of memory and spill beyond (``sql/maintenance/limit_memory.sql``). The file
does not shrink: the old blocks are free space that later writes reuse.

The weekly job ``bellwether_compact`` (``orchestration.maintenance``) runs it on Sundays and
publishes; ``bellwether compact`` runs it by hand. A publish copies every table compacted
since the state it updates whole, in the writer's order (``bellwether.publish``), so the
published files are compacted too.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from bellwether.mdtable import pipe_table
from bellwether.sqlfiles import load_sql
from bellwether.warehouse import Warehouse

#: A table is compacted when a one-session read scans this many row groups on average
#: (1.0 in session order): about one row group of whole ticker histories, 20 re-based
#: tickers at 3,000 stocks (about 0.6 ms more per named query at 25 years).
COMPACT_AT = 2.0
#: The suffix of a table's name while it is renamed aside during its compaction.
ASIDE_SUFFIX = "__compacting"
_TABLE_NAME = re.compile(r"(raw|marts|dq)\.[a-z_][a-z0-9_]*")
_COLUMN_NAME = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class Layout:
    """How a table lies: its rows, row groups and scan factor (module docstring)."""

    table: str
    table_rows: int
    row_groups: int
    scan_factor: float


@dataclass(frozen=True)
class Compaction:
    """One table rewritten in session order: its layout before and after, and the time."""

    before: Layout
    after: Layout
    seconds: float


def _table(table: str) -> str:
    if not _TABLE_NAME.fullmatch(table):
        raise ValueError(f"unexpected table name {table!r}")
    return table


def _table_sql(name: str, **names: str) -> str:
    """``sql/maintenance/<name>.sql`` with its ``{placeholders}`` replaced by ``names``:
    identifiers (DuckDB binds values, not names), each a table of the catalog checked
    against a strict pattern, or made of such names (:func:`sort_columns`)."""
    sql = load_sql(f"maintenance/{name}")
    for key, value in names.items():
        sql = sql.replace("{" + key + "}", value)
    return sql


def session_tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """``{schema.table: [key column, ...]}``: the tables of ``raw``, ``marts`` and ``dq``
    with a non-null ``session_date``, the ones a compaction keeps in session order."""
    rows = con.execute(load_sql("maintenance/session_tables")).fetchall()
    return {table: list(key) for table, key in rows}


def sort_columns(key: Iterable[str]) -> list[str]:
    """The order a table is rewritten in: ``session_date``, then the rest of its key."""
    columns = ["session_date", *(c for c in key if c != "session_date")]
    for column in columns:
        if not _COLUMN_NAME.fullmatch(column):
            raise ValueError(f"unexpected column name {column!r}")
    return columns


def layout(con: duckdb.DuckDBPyConnection, table: str) -> Layout:
    """The :class:`Layout` of ``table`` as stored now (one scan of its ``session_date``)."""
    rows, groups, factor = con.execute(_table_sql("table_layout", table=_table(table))).fetchone()
    return Layout(table, int(rows), int(groups), float(factor))


def needs_compaction(found: Layout, threshold: float = COMPACT_AT) -> bool:
    """Whether a one-session read of the table scans ``threshold`` row groups or more on
    average (a table of one row group never does: it is read whole anyway)."""
    return found.row_groups > 1 and found.scan_factor >= threshold


def create_table_statement(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> str | None:
    """DuckDB's own ``CREATE TABLE`` statement of ``table`` in ``catalog`` as it is now
    (columns, defaults, checks, key; qualified by schema, not by catalog), None when absent."""
    schema, name = _table(table).split(".")
    found = con.execute(
        load_sql("maintenance/table_ddl"), {"catalog": catalog, "schema": schema, "name": name}
    ).fetchone()
    return None if found is None else found[0]


def rewrite_in_order(con: duckdb.DuckDBPyConnection, table: str, key: list[str]) -> None:
    """Rewrite ``table`` in session order inside the caller's transaction: renamed aside,
    created anew from its own ``CREATE TABLE`` statement, its rows inserted in
    :func:`sort_columns` order, the renamed table dropped."""
    catalog = con.execute(load_sql("maintenance/current_catalog")).fetchone()[0]
    create_table = create_table_statement(con, catalog, table)
    if create_table is None:
        raise LookupError(f"no table {table}")
    schema, name = table.split(".")
    aside = f"{name}{ASIDE_SUFFIX}"
    source = f"{schema}.{aside}"
    order = ", ".join(f'"{c}"' for c in sort_columns(key))  # quoted: dq's key has "check"
    con.execute(_table_sql("rename_aside", table=table, aside_name=aside))
    con.execute(create_table)
    con.execute(_table_sql("insert_in_order", table=table, source=source, order=order))
    con.execute(_table_sql("drop_aside", source=source))


def compact(
    wh: Warehouse,
    run_id: str | None = None,
    *,
    threshold: float = COMPACT_AT,
    tables: Iterable[str] | None = None,
    force: bool = False,
) -> tuple[list[Layout], list[Compaction]]:
    """Measure every session table (or ``tables``) of ``wh`` and rewrite in session order
    those whose scan factor reached ``threshold`` (every one of them with ``force``), each in
    its own transaction, recorded in ``dq.table_compactions`` with ``run_id``. Returns the
    layouts found and the compactions made. Raises ``ValueError`` for a name that is not a
    session table."""
    found: list[Layout] = []
    done: list[Compaction] = []
    with wh.connect() as con:
        con.execute(load_sql("maintenance/limit_memory"))  # this process's file, until closed
        candidates = session_tables(con)
        wanted = list(candidates) if tables is None else list(tables)
        unknown = [t for t in wanted if t not in candidates]
        if unknown:
            raise ValueError(
                f"not a session table: {', '.join(unknown)} (session tables: "
                f"{', '.join(candidates)})"
            )
        for table in wanted:
            before = layout(con, table)
            found.append(before)
            if not (force and before.row_groups > 0) and not needs_compaction(before, threshold):
                continue
            started = time.monotonic()
            con.begin()
            try:
                rewrite_in_order(con, table, candidates[table])
                after = layout(con, table)
                seconds = round(time.monotonic() - started, 3)
                con.execute(
                    load_sql("maintenance/insert_compaction"),
                    {"table_name": table, "compacted_at": datetime.now(UTC), "run_id": run_id,
                     "table_rows": after.table_rows, "row_groups_before": before.row_groups,
                     "row_groups_after": after.row_groups,
                     "scan_factor_before": before.scan_factor,
                     "scan_factor_after": after.scan_factor, "seconds": seconds},
                )  # fmt: skip
                con.commit()
            except BaseException:
                con.rollback()
                raise
            done.append(Compaction(before, after, seconds))
    return found, done


def layout_table(found: list[Layout], done: list[Compaction]) -> str:
    """The layouts found and the compactions made, as a Markdown table (the CLI's output,
    the Dagster op's metadata)."""
    after = {c.before.table: c for c in done}
    return pipe_table(
        ["table", "rows", "row groups", "scan factor", "after compaction", "seconds"],
        [
            [f.table, f"{f.table_rows:,}", f.row_groups, f"{f.scan_factor:.2f}",
             f"{after[f.table].after.scan_factor:.2f}" if f.table in after else "",
             f"{after[f.table].seconds:.1f}" if f.table in after else ""]
            for f in found
        ],
    )  # fmt: skip
