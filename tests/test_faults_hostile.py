"""Hostile symbols and parameters are refused with a clear error before any query is built.

Every way a value reaches the pipeline is covered: the universe file, the symbols a run
asks for, the files source's paths (more in ``tests/test_file_source.py``), the archive
source's ingest id (``tests/test_archive_source.py``), session ranges of ``run_pipeline``
and of the CLI, Dagster partition keys, the named queries' names and parameters, and the
source settings. A last test reads the product code: every statement DuckDB executes is
the text of a file in ``sql/`` (values are bound, never formatted into SQL).
"""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from bellwether.calendar import SessionRangeError, sessions_in_range
from bellwether.pipeline import run_pipeline
from bellwether.queries import QueryError, UnknownNameError, run_query
from bellwether.settings import source_kind
from bellwether.sources.base import FetchResult
from bellwether.sources.files import UnsafePathError
from bellwether.symbols import InvalidSymbolError
from bellwether.universe import UniverseConfigError, parse_universe
from bellwether.warehouse import Warehouse
from orchestration import cli
from orchestration.partitions import keys_to_sessions, session_partitions
from orchestration.resources import BarSourceResource
from tests.faults_support import NOW, read_table, small_universe

ROOT = Path(__file__).resolve().parent.parent
INJECTION = "IWM'; DROP TABLE raw.daily_bars; --"
HOSTILE_SYMBOLS = [INJECTION, "../../etc/passwd", "SPY\nQQQ", "spy", "A" * 200, "", None, 7]


class RecordingSource:
    """A source that only records what it was asked for."""

    name = "recording"

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def fetch(self, symbols, start, end) -> FetchResult:
        self.calls.append((list(symbols), start, end))
        return FetchResult(source=self.name)


@pytest.mark.parametrize("symbol", HOSTILE_SYMBOLS)
def test_a_hostile_symbol_in_the_universe_file_is_refused_by_position(symbol):
    doc = {"instruments": [{"symbol": "SPY", "kind": "etf"}, {"symbol": symbol, "kind": "etf"}]}
    with pytest.raises(UniverseConfigError, match=r"instruments\[1\]\.symbol: invalid symbol"):
        parse_universe(doc)


@pytest.mark.parametrize("symbol", HOSTILE_SYMBOLS)
def test_a_run_asking_for_a_hostile_symbol_fails_before_the_source_or_the_warehouse(
    tmp_path, symbol
):
    source, wh = RecordingSource(), Warehouse(tmp_path / "wh.duckdb")
    with pytest.raises(InvalidSymbolError, match="invalid symbol"):
        run_pipeline(wh, source, small_universe(), date(2025, 12, 1), date(2025, 12, 5),
                     symbols=["SPY", symbol], now=NOW)  # fmt: skip
    assert source.calls == [] and not wh.path.exists()


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("1800-01-01", "2999-12-31", "outside the session calendar"),
        ("1800-01-01", "1800-12-31", "outside the session calendar"),
        ("2025-12-05", "2999-12-31", "outside the session calendar"),
        ("2025-12-10", "2025-12-01", "the start is after the end"),
        ("2025-12-06", "2025-12-07", "no NYSE session"),
        ("2025-13-01", "2025-12-31", "invalid date"),
        (f"2025-12-01{INJECTION}", "2025-12-05", "invalid date"),
    ],
)
def test_absurd_ranges_are_refused_before_anything_is_fetched(tmp_path, first, last, message):
    source, wh = RecordingSource(), Warehouse(tmp_path / "wh.duckdb")
    with pytest.raises(SessionRangeError, match=message):
        run_pipeline(wh, source, small_universe(), first, last, now=NOW)
    assert source.calls == [] and not wh.path.exists()


def test_a_sensible_range_still_resolves_to_its_sessions():
    assert sessions_in_range("2025-12-24", "2025-12-29") == [
        date(2025, 12, 24), date(2025, 12, 26), date(2025, 12, 29),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("1800-01-01", "2999-12-31", "outside the session calendar"),
        ("2025-12-10", "2025-12-01", "the start is after the end"),
    ],
)
def test_the_demo_refuses_an_absurd_range_before_dagster_plans_a_run(capsys, start, end, message):
    assert cli.main(["demo", "--start", start, "--end", end]) == 2
    assert message in capsys.readouterr().err


def test_hostile_or_unknown_partition_keys_are_refused():
    partitions = session_partitions()
    for key in (f"2025-12-01{INJECTION}", "2025-12-06", "1800-01-02", "2999-12-31"):
        assert not partitions.has_partition_key(key), key
    with pytest.raises(SessionRangeError, match="the requested range is empty"):
        keys_to_sessions([])


def test_dagster_refuses_a_hostile_partition_key_before_running_anything(tmp_path):
    from orchestration.definitions import all_assets
    from orchestration.resources import WarehouseResource

    resources = {
        "warehouse": WarehouseResource(path=str(tmp_path / "wh.duckdb")),
        "source": BarSourceResource(kind="bundled"),
    }
    raw = [a for a in all_assets if a.key == dg.AssetKey(["raw", "daily_bars"])]
    with (
        dg.instance_for_test() as instance,
        pytest.raises(Exception, match="Could not find a partition"),
    ):
        dg.materialize(raw, resources=resources, instance=instance, partition_key=f"2025-12-01{INJECTION}")  # fmt: skip
    assert not (tmp_path / "wh.duckdb").exists()


def test_source_settings_are_checked(monkeypatch, tmp_path):
    monkeypatch.setenv("BELLWETHER_SOURCE", "bundled; rm -rf /")
    with pytest.raises(ValueError, match="is not a known source"):
        source_kind()
    monkeypatch.setenv("BELLWETHER_SOURCE", "files")
    monkeypatch.setenv("BELLWETHER_FILES_ROOT", str(tmp_path))
    for path in ("../../etc/passwd", "/etc/passwd", "a/../../b.csv"):
        monkeypatch.setenv("BELLWETHER_FILES_PATH", path)
        with pytest.raises(UnsafePathError, match="outside the allowed root"):
            BarSourceResource().build()


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    from tests.faults_support import files_source, sample_bars, write_files_source

    base = tmp_path_factory.mktemp("landed")
    universe = small_universe()
    bars = sample_bars(universe.symbols, date(2025, 12, 1), date(2025, 12, 5))
    wh = Warehouse(base / "wh.duckdb")
    run_pipeline(wh, files_source(write_files_source(base / "src", bars)), universe,
                 date(2025, 12, 1), date(2025, 12, 5), now=NOW, use_gx=False)  # fmt: skip
    return wh


def test_named_queries_refuse_hostile_names_and_bind_hostile_values(landed):
    before = read_table(landed, "raw.daily_bars").height
    with landed.connect(read_only=True) as con:
        for name in ("../schema/010_raw", "daily_moves; DROP TABLE raw.daily_bars", INJECTION):
            with pytest.raises(QueryError, match="unknown query"):
                run_query(con, name)
        # the value was bound, matched nothing and ran nothing: a universe it does not know
        with pytest.raises(UnknownNameError, match="unknown universe"):
            run_query(con, "daily_moves", as_of=date(2025, 12, 5), universe=INJECTION)
        with pytest.raises(QueryError, match="must be an ISO date"):
            run_query(con, "daily_moves", as_of=f"2025-12-05{INJECTION}", universe="market")
    assert read_table(landed, "raw.daily_bars").height == before > 0


#: The only statements not loaded with load_sql: the schema files themselves and the named
#: queries' text (both files in sql/).
FILE_BACKED = {
    ("bellwether/warehouse.py", "path.read_text()"),
    ("bellwether/queries.py", "query.sql"),
    ("bellwether/warehouse.py", "attach"),  # load_sql("publish/attach_writer"), bound once
    # sql/publish files whose {table} is a table name read from the catalog and checked
    # against a strict pattern (DuckDB binds values, not identifiers): bellwether/publish.py
    ("bellwether/publish.py", '_table_sql("drop_table", table)'),
    ("bellwether/publish.py", '_table_sql("create_table", table)'),
    ("bellwether/publish.py", '_table_sql("row_counts", table)'),
    ("bellwether/publish.py", '_log_sql("log_watermark", table)'),
    ("bellwether/publish.py", '_log_sql("log_written_since", table)'),
    ("bellwether/publish.py", '_log_sql("log_runs_since", table)'),
    ("bellwether/publish.py", '_table_sql("copy_table", table)'),
    ("bellwether/publish.py", "_table_sql(by_ranges, table)"),
    ("bellwether/publish.py", "_table_sql(by_sessions, table)"),
    ("bellwether/publish.py", '_table_sql("copy_table_in_order", table)'),
    ("bellwether/publish.py", '_table_sql("table_fingerprints", table)'),
    ("bellwether/publish.py", '_table_sql("stage_new_rows", table)'),
    ("bellwether/publish.py", '_table_sql("copy_new_rows", table)'),
    # a table's CREATE TABLE statement as DuckDB's catalog holds it
    # (sql/maintenance/table_ddl.sql): the compacted table made anew with its own columns
    # and key, in the writer (bellwether/compaction.py) and in a published generation
    ("bellwether/publish.py", "create_table"),
    ("bellwether/compaction.py", "create_table"),
    # sql/maintenance files whose {placeholders} are a session table's name (checked against
    # a strict pattern) and names made from it: bellwether/compaction.py
    ("bellwether/compaction.py", '_table_sql("table_layout", table=_table(table))'),
    ("bellwether/compaction.py", '_table_sql("rename_aside", table=table, aside_name=aside)'),
    (
        "bellwether/compaction.py",
        '_table_sql("insert_in_order", table=table, source=source, order=order)',
    ),
    ("bellwether/compaction.py", '_table_sql("drop_aside", source=source)'),
}


def test_every_statement_duckdb_executes_is_the_text_of_a_file_in_sql():
    offenders = []
    for folder in ("bellwether", "assets", "checks", "orchestration"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "orchestration" / "dagster_storage.py":
                continue  # SQLAlchemy on Dagster's own SQLite tables, not DuckDB
            source = path.read_text()
            for node in ast.walk(ast.parse(source)):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                if (
                    node.func.attr not in ("execute", "executemany", "sql", "query")
                    or not node.args
                ):
                    continue
                arg = node.args[0]
                if isinstance(arg, ast.Call) and getattr(arg.func, "id", None) == "load_sql":
                    continue
                where = (str(path.relative_to(ROOT)), ast.get_source_segment(source, arg))
                if where not in FILE_BACKED:
                    offenders.append(f"{where[0]}:{node.lineno}: {where[1]}")
    assert not offenders, offenders
