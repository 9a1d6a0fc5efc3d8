"""Incremental builds equal a full recompute.

Every mart is built by :mod:`bellwether.marts` from a lookback or the stored seed row of
the previous session. The property: building a range in contiguous chunks, in order (a
backfill split over several runs), or session by session (the daily schedule), stores
exactly what one build of the whole range stores; and rebuilding a range changes nothing.

The warehouse holds the bundled sample for a subset of symbols (indices, broad and sector
ETFs with the 2025-12-05 splits, the two banks, 20 constituents including FISV with its
missing 2025-11-12 bar and Q starting 2025-10-27) with a few bars removed, so that some
tickers have no bar on the session before a chunk.
"""

from __future__ import annotations

import itertools
import random
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bellwether.calendar import previous_session, sessions_between
from bellwether.landing import land_fetch
from bellwether.pipeline import build_marts
from bellwether.reference import refresh_reference_tables
from bellwether.sources.base import FetchResult
from bellwether.sources.bundled import BundledSource
from bellwether.universe import parse_universe
from bellwether.warehouse import Warehouse
from tests.faults_support import instrument_entries

FIRST, LAST = date(2024, 1, 2), date(2026, 3, 31)
SESSIONS = sessions_between(FIRST, LAST)

CONSTITUENTS = [
    "AAPL", "MSFT", "NVDA", "JPM", "BAC", "XOM", "CVX", "WMT", "KO", "PG",
    "UNH", "LLY", "HD", "CAT", "GE", "DUK", "AMT", "LIN", "FISV", "Q",
]  # fmt: skip
MARKET = ["^GSPC", "^IXIC", "^RUT", "SPY", "QQQ", "IWM", "XLE", "XLF", "XLK", "XLRE", "XLU"]
BANKS = ["HBAN", "RF"]
PAIRS = [
    ("^RUT", "^GSPC"),
    ("IWM", "SPY"),
    ("QQQ", "SPY"),
    ("XLK", "SPY"),
    ("XLE", "SPY"),
    ("HBAN", "XLF"),
]

#: Bars removed from the landing: (ticker, session). The chunk tests start chunks on the
#: session after each, where that ticker has no seed row.
REMOVED = [("SPY", date(2025, 9, 15)), ("XLK", date(2025, 12, 4)), ("HBAN", date(2024, 8, 5))]

MART_KEYS = {
    "daily_returns": ["ticker", "session_date"],
    "streaks": ["ticker", "session_date"],
    "technicals": ["ticker", "session_date"],
    "relative_performance": ["ticker", "benchmark", "session_date"],
    "sector_performance": ["session_date", "ticker"],
    "breadth": ["universe", "session_date"],
}


def small_universe():
    instruments = instrument_entries([*MARKET, *BANKS, *CONSTITUENTS])
    return parse_universe(
        {
            "instruments": instruments,
            "universes": {
                "sample": {"members": CONSTITUENTS, "breadth": True},
                "banks": {"members": BANKS, "breadth": True},
                # the sector ETFs end 2026-02-05: coverage drops below 95% after that
                "market": {"members": MARKET, "breadth": True},
            },
            "relative_pairs": [{"ticker": t, "benchmark": b} for t, b in PAIRS],
        }
    )


UNIVERSE = small_universe()


@pytest.fixture(scope="module")
def landed(tmp_path_factory) -> Path:
    """A warehouse file with the bars landed and no mart built (copied by each test)."""
    from tests.conftest import NOW

    path = tmp_path_factory.mktemp("landed") / "warehouse.duckdb"
    wh = Warehouse(path)
    fetched = BundledSource().fetch(UNIVERSE.symbols, FIRST, LAST, now=NOW)
    drop = pl.DataFrame(
        REMOVED, schema={"ticker": pl.String, "session_date": pl.Date}, orient="row"
    )
    bars = fetched.bars.join(drop, on=["ticker", "session_date"], how="anti")
    assert fetched.bars.height - bars.height == len(REMOVED)
    gapped = FetchResult(fetched.source, bars, fetched.actions, fetched.failed)
    land_fetch(wh, gapped, sessions=SESSIONS, symbols=UNIVERSE.symbols, now=NOW)
    refresh_reference_tables(wh, UNIVERSE)
    return path


def fresh(landed: Path, tmp_path: Path, name: str) -> Warehouse:
    path = tmp_path / name / "warehouse.duckdb"
    path.parent.mkdir()
    shutil.copy(landed, path)
    return Warehouse(path)


def marts_of(wh: Warehouse) -> dict[str, pl.DataFrame]:
    with wh.connect(read_only=True) as con:
        return {
            table: con.table(f"marts.{table}").pl().sort(keys) for table, keys in MART_KEYS.items()
        }


def assert_same_marts(got: dict[str, pl.DataFrame], want: dict[str, pl.DataFrame]) -> None:
    """Every mart equal, row for row in key order, floats within rel. 1e-9."""
    for table in MART_KEYS:
        try:
            assert_frame_equal(got[table], want[table], rel_tol=1e-9, abs_tol=0.0)
        except AssertionError as exc:
            raise AssertionError(f"marts.{table}: {exc}") from None


def build_in_chunks(wh: Warehouse, starts: list[date]) -> None:
    """Build FIRST..LAST as contiguous chunks beginning at ``starts`` (FIRST first), in order."""
    bounds = [*starts, None]
    for a, b in itertools.pairwise(bounds):
        build_marts(wh, a, previous_session(b) if b else LAST, UNIVERSE)


def built_in_one_run(landed: Path, folder: Path) -> Path:
    """A copy of ``landed`` in ``folder`` with every mart built in one run over FIRST..LAST."""
    path = folder / "warehouse.duckdb"
    shutil.copy(landed, path)
    build_marts(Warehouse(path), FIRST, LAST, UNIVERSE)
    return path


@pytest.fixture(scope="module")
def full_path(landed, tmp_path_factory) -> Path:
    """The landed warehouse with every mart built in one run over FIRST..LAST."""
    return built_in_one_run(landed, tmp_path_factory.mktemp("full"))


@pytest.fixture(scope="module")
def full(full_path) -> dict[str, pl.DataFrame]:
    return marts_of(Warehouse(full_path))


def test_the_full_build_covers_every_mart(full):
    for table, frame in full.items():
        assert frame.height > 0, table
    # the removed bars are gaps, and the metrics see them
    streaks = full["streaks"].filter(
        (pl.col("ticker") == "SPY") & (pl.col("session_date") == date(2025, 9, 16))
    )
    assert streaks["direction"].to_list() == [None]
    assert set(full["breadth"]["universe"].unique()) == {"sample", "banks", "market"}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_contiguous_chunks_equal_one_full_build(landed, full, tmp_path, seed):
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(SESSIONS)), rng.randint(1, 3)))
    wh = fresh(landed, tmp_path, "chunks")
    build_in_chunks(wh, [FIRST, *(SESSIONS[c] for c in cuts)])
    assert_same_marts(marts_of(wh), full)


def test_chunks_starting_after_a_missing_bar_equal_one_full_build(landed, full, tmp_path):
    """The session before each chunk is a gap for one ticker: it has no seed row there."""
    starts = [FIRST]
    for _, gap in sorted(REMOVED, key=lambda r: r[1]):
        starts.append(sessions_between(gap, LAST)[1])
    wh = fresh(landed, tmp_path, "after_gaps")
    build_in_chunks(wh, starts)
    assert_same_marts(marts_of(wh), full)


def test_daily_runs_equal_one_full_build(landed, full, tmp_path):
    """A backfill, single sessions across XLK's missing 2025-12-04 and the 2025-12-05
    splits, a backfill to ten sessions ago, then the daily schedule one session at a time."""
    around_split = [date(2025, 12, 4), date(2025, 12, 5), date(2025, 12, 8)]
    wh = fresh(landed, tmp_path, "daily")
    build_marts(wh, FIRST, previous_session(around_split[0]), UNIVERSE)
    for session in around_split:
        build_marts(wh, session, session, UNIVERSE)
    build_marts(wh, date(2025, 12, 9), SESSIONS[-11], UNIVERSE)
    for session in SESSIONS[-10:]:
        build_marts(wh, session, session, UNIVERSE)
    assert_same_marts(marts_of(wh), full)


def test_rebuilding_a_range_is_idempotent(full_path, full, tmp_path):
    path = tmp_path / "rebuild.duckdb"
    shutil.copy(full_path, path)
    wh = Warehouse(path)
    build_marts(wh, date(2025, 6, 2), date(2025, 8, 29), UNIVERSE)
    build_marts(wh, date(2025, 6, 2), date(2025, 8, 29), UNIVERSE)
    build_marts(wh, LAST, LAST, UNIVERSE)
    stored = marts_of(wh)
    for table, keys in MART_KEYS.items():
        dupes = stored[table].group_by(keys).len().filter(pl.col("len") > 1)
        assert dupes.height == 0, (table, dupes.head())
    assert_same_marts(stored, full)


def test_building_a_later_range_first_equals_one_full_build(landed, full, tmp_path):
    wh = fresh(landed, tmp_path, "later_first")
    middle = date(2025, 9, 2)
    build_marts(wh, middle, LAST, UNIVERSE)
    build_marts(wh, FIRST, previous_session(middle), UNIVERSE)
    assert_same_marts(marts_of(wh), full)


def test_a_range_built_in_small_chunks_equals_one_full_build(landed, full, tmp_path, monkeypatch):
    """One call over the whole range, cut into 21-session chunks by bellwether.chunks."""
    monkeypatch.setenv("BELLWETHER_CHUNK_BARS", "1")
    wh = fresh(landed, tmp_path, "small_chunks")
    build_marts(wh, FIRST, LAST, UNIVERSE)
    assert_same_marts(marts_of(wh), full)


def test_a_chunk_after_a_gap_continues_from_the_seeds_without_a_full_recompute(
    landed, full, tmp_path
):
    """SPY has no bar on 2025-09-15: the chunk starting the next session continues the
    per-ticker marts from their stored state (Wilder's RSI from SPY's last row before the
    gap) instead of recomputing the whole history, and still equals one full build. The
    technicals' full recompute after any gap made a 25-year backfill read its whole
    history again for most chunks (11.5 GB peak)."""
    gap = date(2025, 9, 15)
    wh = fresh(landed, tmp_path, "after_spy_gap")
    build_marts(wh, FIRST, gap, UNIVERSE)
    builds = build_marts(wh, sessions_between(gap, LAST)[1], LAST, UNIVERSE)
    # breadth continues too: on the gap session the market universe has too few members for
    # a row (skipped, as one build skips it), the others have stored rows to continue from
    assert [b.table for b in builds if b.full_recompute] == []
    assert_same_marts(marts_of(wh), full)
