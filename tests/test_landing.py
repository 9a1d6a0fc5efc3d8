"""Landing replaces exactly the delivered (ticker, session) bars inside one transaction."""

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bellwether.calendar import sessions_between
from bellwether.landing import land_fetch
from bellwether.sources.base import FetchResult
from bellwether.sources.bundled import BundledSource

SYMBOLS = ["SPY", "IWM", "^RUT"]
START, END = date(2025, 6, 2), date(2025, 6, 13)
SESSIONS = sessions_between(START, END)


@pytest.fixture
def fetched(now) -> FetchResult:
    return BundledSource().fetch(SYMBOLS, START, END, now=now)


def table(warehouse, sql):
    with warehouse.connect(read_only=True) as con:
        return con.sql(sql).pl()


def test_landing_twice_is_idempotent(warehouse, fetched, now, tmp_path):
    first = land_fetch(
        warehouse, fetched, sessions=SESSIONS, symbols=SYMBOLS, now=now, archive_root=tmp_path / "a"
    )
    bars1 = table(
        warehouse, "select * exclude (ingested_at, ingest_id) from raw.daily_bars order by all"
    )
    second = land_fetch(
        warehouse, fetched, sessions=SESSIONS, symbols=SYMBOLS, now=now, archive_root=tmp_path / "a"
    )
    bars2 = table(
        warehouse, "select * exclude (ingested_at, ingest_id) from raw.daily_bars order by all"
    )
    assert first.rows_landed == second.rows_landed == 3 * len(SESSIONS)
    assert_frame_equal(bars1, bars2, check_exact=True)
    keys = table(
        warehouse,
        "select ticker, session_date, count(*) n from raw.daily_bars group by all having n > 1",
    )
    assert keys.height == 0
    runs = table(warehouse, "select status, rows_landed, symbols_failed from raw.ingest_runs")
    assert runs["status"].to_list() == ["succeeded", "succeeded"]
    # the archive holds exactly what the source delivered
    archived = pl.read_parquet(f"{second.archive_path}/bars.parquet")
    assert_frame_equal(archived, fetched.bars, check_exact=True)


def test_a_failed_symbol_keeps_its_stored_bars(warehouse, fetched, now):
    land_fetch(warehouse, fetched, sessions=SESSIONS, symbols=SYMBOLS, now=now)
    partial = FetchResult(
        source="test",
        bars=fetched.bars.filter(pl.col("ticker") != "IWM"),
        failed={"IWM": "HTTP 404: No data found, symbol may be delisted"},
    )
    report = land_fetch(warehouse, partial, sessions=SESSIONS, symbols=SYMBOLS, now=now)
    assert report.failed == {"IWM": "HTTP 404: No data found, symbol may be delisted"}
    counts = dict(
        table(warehouse, "select ticker, count(*) from raw.daily_bars group by 1").iter_rows()
    )
    assert counts == {"SPY": len(SESSIONS), "IWM": len(SESSIONS), "^RUT": len(SESSIONS)}
    log = table(
        warehouse,
        "select failed_symbols, failures from raw.ingest_runs order by finished_at desc limit 1",
    )
    assert log["failed_symbols"].to_list() == [["IWM"]]


def test_a_failure_midway_rolls_back_the_whole_landing(warehouse, fetched, now):
    land_fetch(warehouse, fetched, sessions=SESSIONS, symbols=SYMBOLS, now=now)
    before = table(warehouse, "select * from raw.daily_bars order by all")
    changed = fetched.bars.with_columns(pl.col("close") * 1.01, pl.col("high") * 1.02)
    # an action the table's CHECK constraint refuses: it fails after the bars were replaced
    bad_actions = pl.DataFrame(
        {"ticker": ["SPY"], "ex_date": [date(2025, 6, 4)], "action": ["merger"], "value": [1.0]}
    )
    broken = FetchResult(source="test", bars=changed, actions=bad_actions)
    with pytest.raises(Exception, match="CHECK constraint"):
        land_fetch(warehouse, broken, sessions=SESSIONS, symbols=SYMBOLS, now=now)
    after = table(warehouse, "select * from raw.daily_bars order by all")
    assert_frame_equal(after, before, check_exact=True)
    log = table(warehouse, "select status, error from raw.ingest_runs order by finished_at")
    assert log["status"].to_list() == ["succeeded", "failed"]
    assert "CHECK constraint" in log["error"][1]


def test_rejects_are_kept_and_replaced_when_a_fixed_source_is_relanded(warehouse, fetched, now):
    bad = fetched.bars.with_columns(
        pl.when((pl.col("ticker") == "SPY") & (pl.col("session_date") == date(2025, 6, 4)))
        .then(-1.0)
        .otherwise(pl.col("close"))
        .alias("close")
    )
    report = land_fetch(
        warehouse, FetchResult(source="test", bars=bad), sessions=SESSIONS, symbols=SYMBOLS, now=now
    )
    assert report.rows_rejected == 1
    rejected = table(warehouse, "select ticker, session_date, reason from raw.rejected_bars")
    assert rejected.rows() == [("SPY", date(2025, 6, 4), "close is not a finite positive number")]
    assert (
        table(warehouse, "select count(*) n from raw.daily_bars where ticker = 'SPY'")["n"][0]
        == len(SESSIONS) - 1
    )
    land_fetch(warehouse, fetched, sessions=SESSIONS, symbols=SYMBOLS, now=now)
    assert table(warehouse, "select count(*) n from raw.rejected_bars")["n"][0] == 0
    assert table(warehouse, "select count(*) n from raw.daily_bars where ticker = 'SPY'")["n"][
        0
    ] == len(SESSIONS)


def test_new_warehouse_files_are_user_only(warehouse, fetched, now, tmp_path):
    report = land_fetch(
        warehouse,
        fetched,
        sessions=SESSIONS,
        symbols=SYMBOLS,
        now=now,
        archive_root=tmp_path / "arc",
    )
    assert warehouse.path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "arc").stat().st_mode & 0o777 == 0o700
    for f in (tmp_path / "arc" / report.ingest_id).iterdir():
        assert f.stat().st_mode & 0o777 == 0o600
