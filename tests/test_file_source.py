"""The files and bundled sources: format errors are clear, bad cells become rejects."""

from datetime import date

import polars as pl
import pytest

from bellwether.bars import validate_bars
from bellwether.sources.base import SourceFormatError, SourceUnavailableError
from bellwether.sources.bundled import BundledSource
from bellwether.sources.files import FileSource, UnsafePathError

HEADER = "date,ticker,open,high,low,close,adj_close,volume\n"
GOOD = "2025-06-02,SPY,590.0,592.0,588.0,591.0,585.0,50000000\n2025-06-03,SPY,591.0,595.0,590.0,594.0,588.0,52000000\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def fetch(tmp_path, text, now, symbols=("SPY",), name="bars.csv"):
    write(tmp_path, name, text)
    src = FileSource(name, root=tmp_path)
    result = src.fetch(list(symbols), date(2025, 6, 2), date(2025, 6, 30), now=now)
    return result, validate_bars(result.bars, symbols=symbols, now=now)


def test_a_clean_csv_lands_every_row(tmp_path, now):
    result, v = fetch(tmp_path, HEADER + GOOD, now)
    assert result.failed == {}
    assert v.good.height == 2 and v.rejected.height == 0


def test_parquet_files_are_read_too(tmp_path, now):
    write(tmp_path, "x.csv", HEADER + GOOD)
    pl.read_csv(tmp_path / "x.csv").write_parquet(tmp_path / "bars.parquet")
    (tmp_path / "x.csv").unlink()
    result = FileSource("bars.parquet", root=tmp_path).fetch(
        ["SPY"], date(2025, 6, 2), date(2025, 6, 3), now=now
    )
    assert result.bars.height == 2 and result.bars["volume"].to_list() == [50000000.0, 52000000.0]


def test_wrong_columns_name_what_is_missing_and_unexpected(tmp_path, now):
    with pytest.raises(
        SourceFormatError, match=r"missing \['adj_close'\], unexpected \['adjclose'\]"
    ):
        fetch(tmp_path, HEADER.replace("adj_close", "adjclose") + GOOD, now)


def test_wrong_types_are_rejected_with_the_cell_value(tmp_path, now):
    text = HEADER + GOOD + "2025-06-04,SPY,abc,595.0,590.0,594.0,588.0,52000000\n"
    _, v = fetch(tmp_path, text, now)
    assert v.good.height == 2
    assert v.rejected["reason"].to_list() == [
        "unparseable open: 'abc'; open is not a finite positive number"
    ]


def test_a_truncated_csv_rejects_the_partial_row(tmp_path, now):
    text = HEADER + GOOD + "2025-06-04,SPY,591.0,595"
    _, v = fetch(tmp_path, text, now)
    assert v.good.height == 2
    assert v.rejected.height == 1
    assert "low is not a finite positive number" in v.rejected["reason"][0]


def test_duplicate_rows_in_a_file_are_reported(tmp_path, now):
    text = HEADER + GOOD + GOOD.splitlines()[0] + "\n"
    _, v = fetch(tmp_path, text, now)
    assert v.good.height == 2 and v.rejected["reason"].to_list() == ["duplicate row"]


def test_future_and_unparseable_dates_are_surfaced_not_ignored(tmp_path, now):
    text = HEADER + GOOD + "2030-01-02,SPY,1,1,1,1,1,1\n" + "02/06/2025,SPY,1,1,1,1,1,1\n"
    _, v = fetch(tmp_path, text, now)
    got = v.rejected["reason"].to_list()
    assert any("session not closed at ingest" in r for r in got)
    assert any("unparseable date: '02/06/2025'" in r for r in got)


def test_symbols_absent_from_the_file_are_reported_failed(tmp_path, now):
    result, _ = fetch(tmp_path, HEADER + GOOD, now, symbols=("SPY", "QQQ"))
    assert list(result.failed) == ["QQQ"]


@pytest.mark.parametrize("path", ["../outside.csv", "/etc/passwd", "sub/../../x.csv"])
def test_paths_outside_the_root_are_refused(tmp_path, path):
    with pytest.raises(UnsafePathError, match="outside the allowed root"):
        FileSource(path, root=tmp_path / "root")


def test_a_link_escaping_the_root_is_refused(tmp_path, now):
    root = tmp_path / "root"
    root.mkdir()
    write(tmp_path, "secret.csv", HEADER + GOOD)
    (root / "bars.csv").symlink_to(tmp_path / "secret.csv")
    with pytest.raises(UnsafePathError):
        FileSource(".", root=root).fetch(["SPY"], date(2025, 6, 2), date(2025, 6, 3), now=now)


def test_a_missing_path_says_how_to_fall_back(tmp_path, now):
    with pytest.raises(SourceUnavailableError, match="BELLWETHER_SOURCE=bundled"):
        FileSource("nope.csv", root=tmp_path).fetch(
            ["SPY"], date(2025, 6, 2), date(2025, 6, 3), now=now
        )


def test_the_bundled_sample_is_clean_and_complete(now):
    from bellwether.universe import default_universe

    symbols = default_universe().symbols
    result = BundledSource().fetch(symbols, date(2024, 1, 2), date(2026, 6, 29), now=now)
    v = validate_bars(result.bars, symbols=symbols, now=now)
    assert result.failed == {}
    assert v.rejected.height == 0
    # 11,858 market rows + 84,401 constituent rows, HBAN and RF counted once (168 sessions each)
    assert v.good.height == 11_858 + 84_401 - 2 * 168
    assert result.actions.filter(pl.col("action") == "split")["ticker"].sort().to_list() == [
        "XLB", "XLE", "XLK", "XLU", "XLY",
    ]  # fmt: skip
