"""Content hashes of the warehouse: does it hold the same data as another copy?

:func:`table_hashes` gives one SHA-256 per table of the ``raw``, ``marts`` and ``dq``
schemas over what its rows *say*, not over when or by which run they were written: the
columns that name a landing, a run or a time of writing (:data:`PROVENANCE_COLUMNS`) are
left out, rows are sorted, and every value is hashed through its text form, so floats
compare bit for bit. ``raw.ingest_runs``, ``raw.rebasings`` and ``marts.rebuild_log`` are
logs (two warehouses with the same content have different logs) and are left out, as is
the queue ``marts.pending_rebuilds``. :func:`content_hash` combines the tables.

Uses: verify a restore or a rebuild from the archive against the original
(``docs/OPERATIONS.md``), and the fault tests (a re-run changes nothing, a killed run left
every session wholly old or wholly new).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import polars as pl

from bellwether.sqlfiles import load_sql
from bellwether.warehouse import Warehouse

#: Columns that record provenance (which landing or run, when), not content.
PROVENANCE_COLUMNS: frozenset[str] = frozenset(
    {"ingest_id", "old_ingest_id", "run_id", "ingested_at", "rejected_at", "detected_at",
     "checked_at", "started_at", "finished_at", "archive_path", "applied_at", "rebased_at",
     "queued_at", "built_at"}
)  # fmt: skip
#: Tables that log events rather than hold content (landings, mart builds, re-basings) or
#: hold work in progress (rebuilds queued by the any-order rule).
LOG_TABLES: frozenset[str] = frozenset(
    {"raw.ingest_runs", "raw.rebasings", "marts.rebuild_log", "marts.pending_rebuilds"}
)


def canonical(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` without provenance columns, list cells joined, rows sorted."""
    frame = frame.drop([c for c in frame.columns if c in PROVENANCE_COLUMNS])
    lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    frame = frame.with_columns(
        [pl.col(c).cast(pl.List(pl.String)).list.join("\x1f").alias(c) for c in lists]
    )
    return frame.sort(frame.columns, nulls_last=True) if frame.columns else frame


def frame_digest(frame: pl.DataFrame) -> str:
    """SHA-256 of :func:`canonical` ``frame`` written as CSV (header included)."""
    return hashlib.sha256(canonical(frame).write_csv().encode()).hexdigest()


def content_tables(wh: Warehouse) -> list[str]:
    """The tables whose content is hashed (every raw, marts and dq table but the logs)."""
    with wh.connect(read_only=True) as con:
        names = [r[0] for r in con.execute(load_sql("catalog/content_tables")).fetchall()]
    return [n for n in names if n not in LOG_TABLES]


def table_hashes(wh: Warehouse, tables: Iterable[str] | None = None) -> dict[str, str]:
    """``{table: sha256}`` of the content of ``tables`` (default :func:`content_tables`)."""
    tables = list(tables) if tables is not None else content_tables(wh)
    with wh.connect(read_only=True) as con:
        return {t: frame_digest(con.table(t).pl()) for t in tables}


def content_hash(wh: Warehouse, tables: Iterable[str] | None = None) -> str:
    """One SHA-256 over :func:`table_hashes`."""
    lines = "".join(f"{t}\t{h}\n" for t, h in sorted(table_hashes(wh, tables).items()))
    return hashlib.sha256(lines.encode()).hexdigest()
