"""Malformed files through the files source, landed: a clear error naming the file (and
nothing landed), or the bad rows rejected with their reasons (and the good ones landed).

Already covered elsewhere and not repeated here: wrong columns, unparseable cells, a
truncated last row, duplicate rows, future and unparseable dates, paths outside the root
(``tests/test_file_source.py``); each defect's check and quality gate downstream
(``tests/test_quality_corpus.py``). These are the remaining shapes a broken export takes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from bellwether.landing import land_fetch
from bellwether.sources.base import SourceFormatError
from bellwether.sources.files import FileSource
from bellwether.warehouse import Warehouse
from tests.faults_support import NOW, read_table

HEADER = "date,ticker,open,high,low,close,adj_close,volume\n"
GOOD = "2025-06-02,SPY,590.0,592.0,588.0,591.0,585.0,50000000\n"
SESSIONS = [date(2025, 6, 2), date(2025, 6, 3)]
SYMBOLS = ["SPY", "IWM"]


@pytest.fixture
def wh(tmp_path) -> Warehouse:
    """A warehouse where SPY and IWM are already landed for 2025-06-02."""
    (tmp_path / "seed.csv").write_text(
        HEADER + GOOD + "2025-06-02,IWM,205.0,206.0,204.0,205.5,203.0,30000000\n"
    )
    wh = Warehouse(tmp_path / "wh.duckdb")
    fetched = FileSource("seed.csv", root=tmp_path).fetch(
        SYMBOLS, SESSIONS[0], SESSIONS[-1], now=NOW
    )
    land_fetch(wh, fetched, sessions=SESSIONS, symbols=SYMBOLS, now=NOW)
    return wh


def land(wh: Warehouse, folder: Path, name: str, data: bytes):
    (folder / name).write_bytes(data)
    fetched = FileSource(name, root=folder).fetch(SYMBOLS, SESSIONS[0], SESSIONS[-1], now=NOW)
    return land_fetch(wh, fetched, sessions=SESSIONS, symbols=SYMBOLS, now=NOW)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "empty CSV"),
        ("binary.csv", b"\x00\xff\xfe garbage \x89PNG\r\n\x1a\n", "wrong columns"),
        ("latin1.csv", (HEADER + "2025-06-02,SP\xc9,1,1,1,1,1,1\n").encode("latin-1"), "invalid utf-8"),
        ("bad.parquet", b"PAR1\x00\x00 not a parquet file", "cannot read"),
        ("wide_row.csv", (HEADER + "2025-06-02,SPY,590,592,588,591,585,5,999\n").encode(), "more fields"),
    ],
)  # fmt: skip
def test_an_unreadable_file_fails_naming_it_and_lands_nothing(wh, tmp_path, name, data, message):
    before = {t: read_table(wh, t) for t in ("raw.daily_bars", "raw.ingest_runs")}
    with pytest.raises(SourceFormatError, match=message) as exc:
        land(wh, tmp_path, name, data)
    assert name in str(exc.value)
    for table, frame in before.items():
        assert_frame_equal(read_table(wh, table), frame, check_exact=True)


def test_a_header_without_rows_reports_every_symbol_failed_and_keeps_the_stored_bars(wh, tmp_path):
    before = read_table(wh, "raw.daily_bars")
    report = land(wh, tmp_path, "header_only.csv", HEADER.encode())
    assert set(report.failed) == set(SYMBOLS) and report.rows_landed == 0
    assert_frame_equal(read_table(wh, "raw.daily_bars"), before, check_exact=True)
    failures = read_table(wh, "raw.ingest_runs")["failed_symbols"].to_list()[-1]
    assert sorted(failures) == sorted(SYMBOLS)


def test_non_finite_numbers_are_rejected_by_name(wh, tmp_path):
    report = land(wh, tmp_path, "nan.csv",
                  (HEADER + "2025-06-03,SPY,nan,inf,-inf,1e309,585,50000000\n").encode())  # fmt: skip
    assert report.rows_rejected == 1 and report.rows_landed == 0
    (reason,) = read_table(wh, "raw.rejected_bars")["reason"].to_list()
    for column in ("open", "high", "low", "close"):
        assert f"{column} is not a finite positive number" in reason


def test_a_ragged_row_rejects_both_copies_of_its_key_and_keeps_the_stored_bar(wh, tmp_path):
    stored = read_table(wh, "raw.daily_bars")
    land(wh, tmp_path, "ragged.csv", (HEADER + "2025-06-02,SPY,590,592\n" + GOOD).encode())
    reasons = read_table(wh, "raw.rejected_bars")["reason"].to_list()
    assert len(reasons) == 2 and all("conflicting duplicate rows" in r for r in reasons)
    assert_frame_equal(
        read_table(wh, "raw.daily_bars"), stored, check_exact=True
    )  # the earlier SPY bar stays


def test_a_byte_order_mark_and_quoted_odd_tickers_are_handled(wh, tmp_path):
    text = "\ufeff" + HEADER + '2025-06-03,"SPY,QQQ",1,1,1,1,1,1\n2025-06-03,"SP\nY",1,1,1,1,1,1\n'
    report = land(wh, tmp_path, "bom.csv", (text + GOOD.replace("06-02", "06-03")).encode())
    assert report.rows_landed == 1 and report.symbols_received == ["SPY"]
    assert report.failed.keys() == {"IWM"}  # named, not a silent hole


def test_relanding_the_same_bad_file_never_stores_a_reject_twice(wh, tmp_path):
    """The bug this suite found: rejects of a ticker that landed nothing, and of rows dated
    outside the range, were stored again on every re-landing of the same input."""
    data = (HEADER + "2025-06-03,IWM,1,1,1,-1,1,1\n2030-01-02,SPY,1,1,1,1,1,1\n" + GOOD).encode()
    for _ in range(3):
        land(wh, tmp_path, "again.csv", data)
    rejects = read_table(wh, "raw.rejected_bars").select("ticker", "session_date", "reason")
    assert rejects.height == 2 and rejects.unique().height == 2
