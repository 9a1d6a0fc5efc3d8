"""The schema is applied once per version of its files, and checked once per file state.

A writable connection applies ``sql/schema`` and ``sql/macros`` unless the file records this
version (``bw_meta.schema_digest``); a process that finds the file exactly as it left it
(same device, inode, size and modification time) skips even that check. Whatever else
changes the file, a replacement or another writer, makes it check again.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from bellwether import warehouse as warehouse_module
from bellwether.warehouse import Warehouse, schema_files_digest


@pytest.fixture
def checks(monkeypatch) -> list[str]:
    """The paths :func:`ensure_schema` ran for, in order."""
    seen: list[str] = []
    real = warehouse_module.ensure_schema

    def counting(con):
        seen.append(con.execute("SELECT current_database()").fetchone()[0])
        real(con)

    monkeypatch.setattr(warehouse_module, "ensure_schema", counting)
    return seen


def tables(path) -> set[str]:
    """The tables and views of the file (raw.daily_bars is a view over its stored table)."""
    with duckdb.connect(str(path), read_only=True) as con:
        return {f"{s}.{t}" for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() UNION ALL "
            "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal").fetchall()}  # fmt: skip


def test_a_new_file_gets_the_schema_and_its_version(tmp_path, checks):
    wh = Warehouse(tmp_path / "wh.duckdb")
    with wh.connect():
        pass
    assert {"raw.daily_bars", "marts.streaks", "bw_meta.schema_digest"} <= tables(wh.path)
    with duckdb.connect(str(wh.path), read_only=True) as con:
        assert con.execute("SELECT digest FROM bw_meta.schema_digest").fetchall() == [
            (schema_files_digest(),)
        ]
    assert len(checks) == 1


def test_a_file_left_as_this_process_closed_it_is_not_checked_again(tmp_path, checks):
    wh = Warehouse(tmp_path / "wh.duckdb")
    for _ in range(3):
        with wh.transaction() as con:
            con.execute("CREATE TABLE IF NOT EXISTS marts.scratch (x INTEGER)")
            con.execute("INSERT INTO marts.scratch VALUES (1)")
    with wh.session():
        for _ in range(3):
            with wh.connect() as con:
                con.execute("SELECT 1")
    assert len(checks) == 1  # only the first open, of the new file


def test_a_file_replaced_at_the_same_path_gets_the_schema_again(tmp_path, checks):
    wh = Warehouse(tmp_path / "wh.duckdb")
    with wh.connect():
        pass
    bare = tmp_path / "bare.duckdb"
    with duckdb.connect(str(bare)) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
    shutil.copy(bare, wh.path)  # e.g. a restore over it: same path, other content
    with wh.connect() as con:
        assert con.execute("SELECT count(*) FROM raw.daily_bars").fetchone() == (0,)
    assert len(checks) == 2
    assert {"raw.daily_bars", "main.t"} <= tables(wh.path)


def test_a_file_written_by_another_connection_is_checked_again(tmp_path, checks):
    wh = Warehouse(tmp_path / "wh.duckdb")
    with wh.connect():
        pass
    with duckdb.connect(str(wh.path)) as con:  # another writer, behind the warehouse's back
        con.execute("DROP TABLE bw_meta.schema_digest")
        con.execute("DROP TABLE marts.streaks")
    with wh.connect():
        pass
    assert len(checks) == 2
    assert "marts.streaks" in tables(wh.path)


def test_a_warehouse_from_before_the_views_keeps_its_rows_behind_them(tmp_path):
    """``raw.daily_bars`` and ``marts.daily_returns`` were tables; a file made then is
    upgraded by its first writable connection: each table is renamed to the stored table
    its view reads (its rows, key and values as they were), the views read them on scale 1,
    and landing and building write to them as before."""
    wh = Warehouse(tmp_path / "wh.duckdb")
    with wh.connect() as con:
        con.execute(
            "INSERT INTO raw.daily_bars_stored (ticker, session_date, open, high, low, close, "
            "adj_close, volume, source, ingested_at, ingest_id) VALUES ('SPY', DATE '2025-11-03',"
            " 680, 685, 679, 683.5, 681.25, 1000, 'files', now(), 'i1')"
        )
        con.execute(
            "INSERT INTO marts.daily_returns_stored (ticker, session_date, close, adj_close) "
            "VALUES ('SPY', DATE '2025-11-03', 683.5, 681.25)"
        )
    with duckdb.connect(str(wh.path)) as con:  # as an earlier version left it
        for schema, table in (("raw", "daily_bars"), ("marts", "daily_returns")):
            con.execute(f"DROP VIEW {schema}.{table}")
            con.execute(f"ALTER TABLE {schema}.{table}_stored RENAME TO {table}")
        con.execute("DROP TABLE raw.adj_close_scale")
        con.execute("UPDATE bw_meta.schema_digest SET digest = 'an earlier version'")
    assert "raw.daily_bars_stored" not in tables(wh.path)
    with wh.connect() as con:
        bars = con.execute("SELECT ticker, close, adj_close FROM raw.daily_bars").fetchall()
        returns = con.execute("SELECT ticker, adj_close FROM marts.daily_returns").fetchall()
        key = con.execute(
            "SELECT constraint_column_names FROM duckdb_constraints() WHERE "
            "table_name = 'daily_bars_stored' AND constraint_type = 'PRIMARY KEY'"
        ).fetchall()
    assert bars == [("SPY", 683.5, 681.25)] and returns == [("SPY", 681.25)]
    assert key == [(["ticker", "session_date"],)]
    assert {"raw.daily_bars", "raw.daily_bars_stored", "raw.adj_close_scale",
            "marts.daily_returns", "marts.daily_returns_stored"} <= tables(wh.path)  # fmt: skip
    with duckdb.connect(str(wh.path), read_only=True) as con:
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
    assert {"daily_bars", "daily_returns"} <= views
