"""The archive source: every landing can be rebuilt offline exactly as it was first landed.

A warehouse is built by four landings of the small universe (``tests/faults_support.py``)
with everything a landing can record: rejected rows (a negative close, a weekend row, a
future row), a partial failure (a symbol missing), a
restatement and corporate actions (the 2025-12-05 splits). A fresh warehouse rebuilt from
the archive alone must hold the same content, table by table (content hashes), and the
same landing log.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bellwether import settings
from bellwether.integrity import table_hashes
from bellwether.landing import ARCHIVE_BARS, ARCHIVE_MANIFEST, ARCHIVE_OUTCOME
from bellwether.pipeline import run_pipeline
from bellwether.sources.archive import ArchiveSource, list_archives, rebuild_from_archives
from bellwether.sources.base import SourceFormatError, SourceUnavailableError
from bellwether.sources.files import UnsafePathError
from bellwether.warehouse import Warehouse
from orchestration.resources import BarSourceResource
from tests.faults_support import (
    BANKS,
    MARKET,
    NOW,
    STOCKS,
    files_source,
    read_table,
    sample_actions,
    sample_bars,
    small_universe,
    write_files_source,
)

SYMBOLS = [*MARKET, *BANKS, *STOCKS]
FIRST, LAST = date(2025, 11, 24), date(2025, 12, 9)


def with_defects(bars: pl.DataFrame) -> pl.DataFrame:
    """A negative close, a weekend row and a future row."""
    bad = bars.with_columns(
        pl.when((pl.col("ticker") == "AAPL") & (pl.col("date") == date(2025, 11, 25)))
        .then(-1.0)
        .otherwise(pl.col("close"))
        .alias("close")
    )
    one = bars.filter((pl.col("ticker") == "SPY") & (pl.col("date") == date(2025, 11, 26)))
    extra = pl.concat(
        [
            one.with_columns(pl.lit(date(2025, 11, 29)).alias("date")),  # a Saturday
            one.with_columns(pl.lit(date(2030, 1, 2)).alias("date")),  # the future
        ]
    )
    return pl.concat([bad, extra])


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    """The original warehouse and its archive, built by four landings."""
    base = tmp_path_factory.mktemp("original")
    universe = small_universe()
    bars = sample_bars(SYMBOLS, FIRST, LAST)
    actions = sample_actions(SYMBOLS)
    wh, archive = Warehouse(base / "wh.duckdb"), base / "archive"

    def land(name: str, frame: pl.DataFrame, first: date, last: date):
        source = files_source(write_files_source(base / name, frame, actions))
        return run_pipeline(
            wh, source, universe, first, last, now=NOW, archive_root=archive, use_gx=False
        ).landing

    reports = [
        land("backfill", with_defects(bars), FIRST, date(2025, 12, 4)),
        land("split_day", bars, date(2025, 12, 5), date(2025, 12, 5)),
        land(
            "restated",
            bars.with_columns(
                pl.when((pl.col("ticker") == "SPY") & (pl.col("date") == date(2025, 12, 4)))
                .then(pl.col(c) * 1.01)
                .otherwise(pl.col(c))
                .alias(c)
                for c in ("open", "high", "low", "close", "adj_close")
            ),
            date(2025, 12, 4),
            date(2025, 12, 4),
        ),
        land("partial", bars.filter(pl.col("ticker") != "IWM"), date(2025, 12, 8), LAST),
    ]
    return wh, archive, reports


def test_the_original_recorded_every_kind_of_landing(original):
    wh, _, reports = original
    assert reports[0].rows_rejected == 3 and reports[3].failed.keys() == {"IWM"}
    assert read_table(wh, "raw.restatements")["ticker"].to_list() == ["SPY"]
    assert read_table(wh, "raw.corporate_actions").height >= 3


def test_a_fresh_warehouse_rebuilt_from_the_archive_has_the_same_content(original, tmp_path):
    wh, archive, reports = original
    rebuilt = Warehouse(tmp_path / "rebuilt.duckdb")
    result = rebuild_from_archives(rebuilt, archive, small_universe(), use_gx=False)
    assert result.skipped == {}
    assert [r.ingest_id for r in result.replayed] != [r.ingest_id for r in reports]
    assert table_hashes(rebuilt) == table_hashes(wh)
    log = ["source", "start_session", "end_session", "sessions", "symbols_requested",
           "symbols_received", "symbols_failed", "failed_symbols", "failures", "rows_received",
           "rows_landed", "rows_rejected", "actions_landed", "status"]  # fmt: skip
    original_log = read_table(wh, "raw.ingest_runs").sort("finished_at").select(log)
    assert_frame_equal(
        read_table(rebuilt, "raw.ingest_runs").sort("finished_at").select(log),
        original_log,
        check_exact=True,
    )


def test_one_session_is_served_from_its_archive_through_the_source_interface(original):
    _, archive, reports = original
    source = ArchiveSource(reports[0].ingest_id, root=archive)
    assert (source.start, source.end, source.source) == (FIRST, date(2025, 12, 4), "files")
    assert source.committed and source.fetched_at == NOW
    got = source.fetch(["SPY", "AAPL", "NOTIN"], date(2025, 11, 25), date(2025, 11, 25))
    placed = got.bars.filter(pl.col("session_date") == date(2025, 11, 25))
    assert sorted(placed["ticker"].to_list()) == ["AAPL", "SPY"]
    # a row dated outside the archived range comes with every request, to be rejected again;
    # the Saturday inside it comes with the requests that cover its date
    dates = set(got.bars["session_date"].to_list())
    assert date(2030, 1, 2) in dates and date(2025, 11, 29) not in dates
    assert got.failed == {
        "NOTIN": f"not in archive {source.ingest_id} (files, {FIRST}..2025-12-04)"
    }
    with pytest.raises(SourceUnavailableError, match=r"reaches outside it"):
        source.fetch(["SPY"], date(2025, 12, 4), date(2025, 12, 5))
    partial = ArchiveSource(reports[3].ingest_id, root=archive)
    assert partial.fetch(["IWM"], date(2025, 12, 8), LAST).failed == {
        "IWM": f"no rows in files source for 2025-12-08..{LAST}"
    }


def test_the_archive_source_is_selected_from_the_environment(original, monkeypatch):
    _, archive, reports = original
    monkeypatch.setenv("BELLWETHER_SOURCE", "archive")
    monkeypatch.setenv("BELLWETHER_ARCHIVE", str(archive))
    monkeypatch.delenv("BELLWETHER_ARCHIVE_INGEST", raising=False)
    assert settings.source_kind() == "archive"
    with pytest.raises(ValueError, match="BELLWETHER_ARCHIVE_INGEST"):
        BarSourceResource().build()
    monkeypatch.setenv("BELLWETHER_ARCHIVE_INGEST", reports[1].ingest_id)
    source = BarSourceResource().build()
    assert isinstance(source, ArchiveSource) and source.ingest_id == reports[1].ingest_id
    assert source.folder == archive.resolve() / reports[1].ingest_id


@pytest.mark.parametrize(
    "ingest", ["../../etc", "/etc", "x'; DROP TABLE raw.daily_bars; --/..", "..", "a/../../b"]
)
def test_hostile_archive_ids_are_refused_without_leaving_the_archive(original, ingest):
    _, archive, _ = original
    with pytest.raises((UnsafePathError, SourceUnavailableError)) as exc:
        ArchiveSource(ingest, root=archive)
    assert isinstance(exc.value, UnsafePathError) or str(archive.resolve()) in str(exc.value)


def copy_archive(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    return dst


def test_a_corrupt_or_incomplete_archive_is_refused_and_skipped_by_a_rebuild(original, tmp_path):
    _, archive, reports = original
    root = tmp_path / "archive"
    ids = [r.ingest_id for r in reports]
    for ingest in ids:
        copy_archive(archive / ingest, root / ingest)
    data = bytearray((root / ids[0] / ARCHIVE_BARS).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (root / ids[0] / ARCHIVE_BARS).write_bytes(bytes(data))  # bit rot
    (root / ids[1] / ARCHIVE_MANIFEST).unlink()  # cut off before the manifest
    (root / ids[2] / ARCHIVE_OUTCOME).unlink()  # never said whether it committed
    with pytest.raises(SourceFormatError, match="SHA-256"):
        ArchiveSource(ids[0], root=root)
    with pytest.raises(SourceUnavailableError, match="cut off"):
        ArchiveSource(ids[1], root=root)
    archives, skipped = list_archives(root)
    assert [a.ingest_id for a in archives] == ids[2:]
    assert set(skipped) == {ids[0], ids[1]}
    rebuilt = rebuild_from_archives(Warehouse(tmp_path / "wh.duckdb"), root, small_universe(),
                                    ingest_ids=[ids[2]], use_gx=False)  # fmt: skip
    assert rebuilt.replayed == [] and "did not commit" in rebuilt.skipped[ids[2]]


def test_archives_are_user_only_and_say_what_they_hold(tmp_path):
    nested = tmp_path / "new" / "archive"
    source = files_source(write_files_source(tmp_path / "src", sample_bars(["SPY"], LAST, LAST)))
    report = run_pipeline(Warehouse(tmp_path / "wh.duckdb"), source, small_universe(), LAST,
                          LAST, now=NOW, archive_root=nested, use_gx=False).landing  # fmt: skip
    folder = Path(report.archive_path)
    assert nested.stat().st_mode & 0o777 == 0o700
    assert folder.stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [ARCHIVE_BARS, "corporate_actions.parquet", ARCHIVE_MANIFEST, ARCHIVE_OUTCOME]
    )
    for f in folder.iterdir():
        assert f.stat().st_mode & 0o777 == 0o600, f
    manifest = json.loads((folder / ARCHIVE_MANIFEST).read_text())
    assert manifest["files"][ARCHIVE_BARS]["rows"] == 1 and manifest["sessions"] == 1
    assert json.loads((folder / ARCHIVE_OUTCOME).read_text())["status"] == "succeeded"
    assert not any(p.name.endswith(".tmp") for p in folder.iterdir())
