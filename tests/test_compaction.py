"""Compaction of the session tables (bellwether.compaction): a table whose rows drifted out of
session order is rewritten in it, with the same rows, columns and key, in one transaction,
and the publishes that follow copy it whole so the published files are compacted too.

The warehouse here holds 100 tickers x 2,500 sessions of bars (250,000 rows, three row
groups of 122,880) written in session order, as daily runs write them; then every other
ticker's history (50) is deleted and appended again, as a split's re-basing rewrites a ticker's
history: a row group of whole histories that every one-session read scans.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

import bellwether.compaction as compaction
import bellwether.publish as publish_module
from bellwether.compaction import COMPACT_AT, compact, layout, needs_compaction, sort_columns
from bellwether.integrity import table_hashes
from bellwether.publish import generations_dir, publish
from bellwether.warehouse import Warehouse

N_TICKERS, N_SESSIONS = 100, 2_500
FIRST = date(2016, 1, 4)


def _fill(con: duckdb.DuckDBPyConnection) -> None:
    """``N_TICKERS`` x ``N_SESSIONS`` bars in session order (one day apart: the layout
    measure counts days, not the calendar)."""
    con.execute(
        """
        INSERT INTO raw.daily_bars_stored (ticker, session_date, open, high, low, close, adj_close,
                                    volume, source, ingested_at, ingest_id, basis_session)
        SELECT 'T' || lpad(t::VARCHAR, 3, '0'), $first + s::INTEGER,
               100 + s, 101 + s, 99 + s, 100 + s + t / 100, 100 + s, 1000 * t, 'test',
               TIMESTAMPTZ '2026-01-01 00:00:00+00', 'ingest-1', $first + s::INTEGER
        FROM range($sessions) AS r(s), range($tickers) AS u(t)
        ORDER BY s, t
        """,
        {"first": FIRST, "sessions": N_SESSIONS, "tickers": N_TICKERS},
    )


def _rebase(con: duckdb.DuckDBPyConnection, tickers: list[str]) -> None:
    """Delete and append again each ticker's history (what a split's re-basing writes)."""
    for ticker in tickers:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE moved AS SELECT * FROM raw.daily_bars_stored WHERE ticker = $1",
            [ticker],
        )
        con.execute("DELETE FROM raw.daily_bars_stored WHERE ticker = $1", [ticker])
        con.execute("INSERT INTO raw.daily_bars_stored SELECT * FROM moved ORDER BY session_date")
    con.execute("DROP TABLE moved")


@pytest.fixture
def widened(tmp_path: Path) -> Warehouse:
    wh = Warehouse(tmp_path / "writer" / "warehouse.duckdb", lock_timeout_s=2.0)
    with wh.connect() as con:
        _fill(con)
        con.execute("CHECKPOINT")
        assert layout(con, "raw.daily_bars_stored").scan_factor < 1.05  # in session order
        _rebase(con, [f"T{t:03d}" for t in range(0, N_TICKERS, 2)])
        con.execute("CHECKPOINT")
    return wh


def _ddl(wh: Warehouse, table: str) -> str:
    schema, name = table.split(".")
    with wh.connect(read_only=True) as con:
        return con.execute(
            "SELECT sql FROM duckdb_tables() WHERE schema_name = $1 AND table_name = $2",
            [schema, name],
        ).fetchone()[0]


def test_the_scan_factor_counts_the_row_groups_a_one_session_read_scans(widened):
    with widened.connect(read_only=True) as con:
        found = layout(con, "raw.daily_bars_stored")
        assert found.table_rows == N_TICKERS * N_SESSIONS
        assert found.row_groups == 3  # 250,000 rows: 122,880 + 122,880 + 4,240
        # the checkpoint merged the row groups the deletes left half empty: the first holds
        # the 50 others' sessions 0..2408, the other two the rest and the 50 appended
        # histories, each spanning every session: 2409/2500 + 1 + 1
        assert found.scan_factor == pytest.approx(2409 / 2500 + 2, abs=0.001)
        assert layout(con, "marts.technicals") == compaction.Layout("marts.technicals", 0, 0, 1.0)


def test_needs_compaction_from_the_threshold_and_never_for_one_row_group():
    def lay(groups: int, factor: float) -> compaction.Layout:
        return compaction.Layout("raw.daily_bars_stored", groups * 100, groups, factor)

    assert needs_compaction(lay(3, COMPACT_AT))
    assert not needs_compaction(lay(3, COMPACT_AT - 0.01))
    assert needs_compaction(lay(3, 1.5), threshold=1.5)
    assert not needs_compaction(lay(1, 9.0))  # read whole anyway
    assert not needs_compaction(lay(0, 1.0))


def test_tables_are_sorted_by_session_then_their_key():
    assert sort_columns(["ticker", "session_date"]) == ["session_date", "ticker"]
    assert sort_columns(["session_date", "asset", "check"]) == ["session_date", "asset", "check"]
    assert sort_columns([]) == ["session_date"]
    with pytest.raises(ValueError, match="unexpected column"):
        sort_columns(["ticker; DROP TABLE raw.daily_bars_stored"])


def test_compaction_rewrites_a_widened_table_in_session_order_with_the_same_rows_and_key(
    widened,
):
    hashes, ddl = table_hashes(widened), _ddl(widened, "raw.daily_bars_stored")
    found, done = compact(widened, "run-c")
    by_table = {f.table: f for f in found}
    assert by_table["raw.daily_bars_stored"].scan_factor > COMPACT_AT
    assert [c.before.table for c in done] == ["raw.daily_bars_stored"]  # the only widened one
    assert done[0].after.scan_factor < 1.05 and done[0].after.row_groups == 3
    hashes_after = table_hashes(widened)
    assert hashes_after.pop("dq.table_compactions") != hashes.pop("dq.table_compactions")
    assert hashes_after == hashes  # the same rows in every other table
    assert _ddl(widened, "raw.daily_bars_stored") == ddl  # columns, defaults, key
    with widened.connect() as con:
        assert layout(con, "raw.daily_bars_stored").scan_factor < 1.05
        first = con.execute(
            "SELECT ticker, session_date FROM raw.daily_bars_stored WHERE rowid < 3 ORDER BY rowid"
        ).fetchall()
        assert first == [("T000", FIRST), ("T001", FIRST), ("T002", FIRST)]
        logged = con.execute(
            "SELECT table_name, run_id, table_rows, row_groups_before, scan_factor_before > 2.9,"
            " scan_factor_after < 1.05 FROM dq.table_compactions"
        ).fetchall()
        assert logged == [("raw.daily_bars_stored", "run-c", 250_000, 3, True, True)]
        with pytest.raises(duckdb.ConstraintException):  # the key is enforced as before
            con.execute(
                "INSERT INTO raw.daily_bars_stored SELECT * FROM raw.daily_bars_stored WHERE rowid = 0"
            )
        assert not con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '%__compacting'"
        ).fetchone()[0]
    # a table below the threshold is left alone, and nothing is logged for it
    _, again = compact(widened, "run-d", threshold=1.01)
    assert again == []


def test_a_compaction_that_fails_midway_leaves_the_table_as_it_was(widened, monkeypatch):
    hashes = table_hashes(widened)
    with widened.connect(read_only=True) as con:
        before = layout(con, "raw.daily_bars_stored")
    real = compaction.load_sql

    def failing(name: str) -> str:
        if name == "maintenance/drop_aside":
            raise OSError("disk gone")  # after the rows were copied, before the old is dropped
        return real(name)

    monkeypatch.setattr(compaction, "load_sql", failing)
    with pytest.raises(OSError, match="disk gone"):
        compact(widened, "run-x", threshold=1.5)
    monkeypatch.undo()
    assert table_hashes(widened) == hashes
    with widened.connect() as con:
        assert layout(con, "raw.daily_bars_stored") == before
        assert con.execute("SELECT count(*) FROM dq.table_compactions").fetchone()[0] == 0
        names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert "daily_bars_stored" in names and "daily_bars_stored__compacting" not in names


def test_only_session_tables_can_be_named(widened):
    with pytest.raises(ValueError, match=r"not a session table: raw\.instruments"):
        compact(widened, tables=["raw.instruments"])
    found, done = compact(widened, tables=["marts.technicals"], force=True)
    assert [f.table for f in found] == ["marts.technicals"] and done == []  # empty: nothing


def test_a_table_whose_key_has_a_keyword_column_is_compacted(widened):
    with widened.connect() as con:  # dq.check_results's key is (session_date, asset, "check")
        con.execute(
            """
            INSERT INTO dq.check_results (session_date, asset, "check", severity, scope, passed,
                                          message, failing_tickers, checked_at)
            SELECT $first + s::INTEGER, 'raw/daily_bars', c, 'error', 'session', true, 'ok',
                   [], TIMESTAMPTZ '2026-01-01 00:00:00+00'
            FROM range(3) AS r(s), (VALUES ('schema'), ('freshness')) AS k(c)
            ORDER BY s DESC
            """,
            {"first": FIRST},
        )
    hashes = table_hashes(widened)
    _, done = compact(widened, tables=["dq.check_results"], force=True)
    assert [c.after.table_rows for c in done] == [6]
    with widened.connect(read_only=True) as con:
        first = con.execute(
            'SELECT session_date, "check" FROM dq.check_results ORDER BY rowid LIMIT 2'
        ).fetchall()
    assert first == [(FIRST, "freshness"), (FIRST, "schema")]  # session, then the key
    assert table_hashes(widened)["dq.check_results"] == hashes["dq.check_results"]


def _published_layouts(published: Path) -> dict[str, float]:
    out = {}
    for path in sorted(generations_dir(published).glob("*.duckdb")):
        con = duckdb.connect(str(path), read_only=True)
        try:
            out[path.stem] = round(layout(con, "raw.daily_bars_stored").scan_factor, 2)
        finally:
            con.close()
    return out


def test_the_publishes_after_a_compaction_compact_every_published_generation(widened, tmp_path):
    published = tmp_path / "warehouse.duckdb"
    publish(widened, "run-1", [], published=published)  # the full copy keeps the order
    assert _published_layouts(published)["a"] > 2.9  # the writer's order: widened
    compact(widened, "run-c")
    methods = []
    for i in range(2, 6):  # b, c and a: copies of the current one (compacted), b in place
        state = publish(widened, f"run-{i}", [], published=published)
        methods.append((state.generation, state.method))
        assert table_hashes(Warehouse(published)) == table_hashes(widened), state.label()
    assert methods == [("b", "copy"), ("c", "copy"), ("a", "copy"), ("b", "in place")]
    assert set(_published_layouts(published).values()) == {1.0}
    # a reader's DDL is the writer's: the key holds in the published file too
    con = duckdb.connect(str(published), read_only=True)
    try:
        key = con.execute(
            "SELECT constraint_column_names FROM duckdb_constraints() "
            "WHERE table_name = 'daily_bars_stored' AND constraint_type = 'PRIMARY KEY'"
        ).fetchone()
        assert key == (["ticker", "session_date"],)
    finally:
        con.close()


def test_the_weekly_job_compacts_and_publishes_through_dagster(widened, tmp_path):
    from orchestration.definitions import defs
    from orchestration.maintenance import SCHEDULE_CRON
    from orchestration.resources import WarehouseResource

    published = tmp_path / "warehouse.duckdb"
    publish(widened, "run-1", [], published=published)
    job = defs.resolve_job_def("bellwether_compact")
    resources = {"warehouse": WarehouseResource(path=str(widened.path), published=str(published))}
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance, resources=resources,
            run_config={"ops": {"compact_session_tables": {"config": {"threshold": 2.5}}}},
        )  # fmt: skip
        assert result.success
        assert result.output_for_node("compact_session_tables") == ["raw.daily_bars_stored"]
        meta = next(
            e.event_specific_data.metadata
            for e in result.all_node_events
            if e.event_type_value == "STEP_OUTPUT"
        )
        assert meta["tables_compacted"].value == 1
        assert "raw.daily_bars_stored" in meta["layouts"].value
        assert meta["published"].value.startswith("state 2")
        run_id = result.run_id
        again = job.execute_in_process(instance=instance, resources=resources)
        assert again.success and again.output_for_node("compact_session_tables") == []
    with widened.connect(read_only=True) as con:
        assert con.execute("SELECT run_id FROM dq.table_compactions").fetchall() == [(run_id,)]
    assert _published_layouts(published)["b"] == 1.0
    assert table_hashes(Warehouse(published)) == table_hashes(widened)
    schedule = defs.resolve_schedule_def("bellwether_weekly_compact")
    assert schedule.cron_schedule == SCHEDULE_CRON == "0 6 * * 0"


def test_a_publish_after_the_generations_caught_up_copies_no_table_whole_again(widened, tmp_path):
    published = tmp_path / "warehouse.duckdb"
    publish(widened, "run-1", [], published=published)
    compact(widened, "run-c")
    for i in range(2, 5):  # a, b and c each get the compacted table once
        publish(widened, f"run-{i}", [], published=published)
    copied: list[str] = []
    real = publish_module._copy_compacted

    def spy(con, table):
        copied.append(table)
        real(con, table)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(publish_module, "_copy_compacted", spy)
        for i in range(5, 8):
            state = publish(widened, f"run-{i}", [], published=published)
            assert state.method == "in place"
    assert copied == []
    compact(widened, "run-c2", force=True, tables=["raw.daily_bars_stored"])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(publish_module, "_copy_compacted", spy)
        publish(widened, "run-8", [], published=published)
    assert copied == ["raw.daily_bars_stored"]  # a later compaction is copied again
    assert table_hashes(Warehouse(published)) == table_hashes(widened)
