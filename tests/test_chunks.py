"""A range is worked through in chunks of sessions that bound memory (bellwether.chunks)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bellwether.chunks import MIN_CHUNK_SESSIONS, chunk_length, max_bars_per_chunk, session_chunks

DAYS = [date(2020, 1, 1) + timedelta(days=i) for i in range(100)]


def test_a_chunk_holds_at_most_max_bars_over_the_symbols_sessions():
    assert chunk_length(3000, 1_500_000) == 500
    assert chunk_length(500, 1_500_000) == 3000
    assert chunk_length(10**6, 1_500_000) == MIN_CHUNK_SESSIONS  # never shorter than a month


def test_chunks_are_consecutive_cover_the_range_once_and_keep_order():
    chunks = session_chunks(DAYS, n_symbols=10, max_bars=300)  # 30 sessions per chunk
    assert [len(c) for c in chunks] == [30, 30, 30, 10]
    assert [d for c in chunks for d in c] == DAYS
    assert session_chunks([], 10) == []
    assert session_chunks(DAYS[:5], 10) == [DAYS[:5]]


def test_unsorted_sessions_are_refused():
    with pytest.raises(ValueError, match="ascending"):
        session_chunks([DAYS[1], DAYS[0]], 10)


def test_the_chunk_size_comes_from_the_environment_and_a_bad_value_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("BELLWETHER_CHUNK_BARS", "4200")
    assert max_bars_per_chunk() == 4200 and chunk_length(100) == 42
    for bad in ("0", "-5", "lots"):
        monkeypatch.setenv("BELLWETHER_CHUNK_BARS", bad)
        with pytest.raises(ValueError, match="BELLWETHER_CHUNK_BARS"):
            max_bars_per_chunk()


def test_a_pipeline_run_in_chunks_lands_and_checks_the_same_as_one_chunk(tmp_path, monkeypatch):
    """Each chunk is its own landing (archive, ingest run) and check run; the content is
    the same as one whole-range landing, and every session has its check results."""
    from bellwether.pipeline import run_pipeline
    from bellwether.sources.bundled import BundledSource
    from bellwether.warehouse import Warehouse
    from tests.conftest import NOW
    from tests.test_incremental import UNIVERSE

    first, last = date(2025, 1, 2), date(2025, 3, 31)

    def run(name: str) -> tuple:
        wh = Warehouse(tmp_path / name / "warehouse.duckdb")
        result = run_pipeline(wh, BundledSource(), UNIVERSE, first, last, now=NOW, use_gx=False,
                              archive_root=tmp_path / name / "archive")  # fmt: skip
        with wh.connect(read_only=True) as con:
            bars = con.sql(
                "SELECT * EXCLUDE (ingest_id, ingested_at) FROM raw.daily_bars ORDER BY ALL"
            ).fetchall()
            breadth = con.sql("SELECT * FROM marts.breadth ORDER BY ALL").fetchall()
            checked = con.sql(
                "SELECT count(DISTINCT session_date) FROM dq.check_results "
                "WHERE asset = 'raw/daily_bars' AND \"check\" = 'completeness_index_etf'"
            ).fetchall()[0][0]
            ingests = con.sql("SELECT count(*) FROM raw.ingest_runs").fetchall()[0][0]
        return result, bars, breadth, checked, ingests

    whole, bars, breadth, checked, ingests = run("whole")
    assert len(whole.landings.reports) == 1 and ingests == 1
    monkeypatch.setenv("BELLWETHER_CHUNK_BARS", "1")  # 21-session chunks
    chunked, c_bars, c_breadth, c_checked, c_ingests = run("chunked")
    assert len(chunked.landings.reports) == c_ingests == 3  # 60 sessions
    assert c_bars == bars and c_breadth == breadth
    assert c_checked == checked == 60
    assert chunked.landings.rows_landed == whole.landing.rows_landed
    with pytest.raises(ValueError, match="3 chunks"):
        chunked.landing  # noqa: B018
