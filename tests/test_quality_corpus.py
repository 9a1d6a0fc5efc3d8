"""A corpus of corrupted inputs, one per failure mode: each fails or warns with its own
message, nothing is lost, and nothing downstream is built on it.

The corrupted inputs are real files (CSV written from the bundled bars with one defect
each, read through the files source) and replayed yfinance responses. Every case lands the
clean sessions 2025-11-24..2025-12-04 first, then the corrupted session 2025-12-05 (or a
re-landing), runs the raw checks and builds the marts, as the Dagster assets do.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from bellwether.calendar import sessions_between
from bellwether.landing import land_fetch
from bellwether.pipeline import build_marts
from bellwether.reference import refresh_reference_tables
from bellwether.sources.base import SourceFormatError
from bellwether.sources.files import FileSource
from bellwether.sources.yahoo import YahooSource
from bellwether.sqlfiles import load_sql
from bellwether.universe import default_universe
from bellwether.warehouse import Warehouse
from checks.raw_checks import NEVER_LANDED
from checks.run import run_mart_checks, run_raw_checks
from tests.yahoo_replay import ReplayAdapter, replay_session, reset_yfinance

UNIVERSE = default_universe()
SYMBOLS = UNIVERSE.symbols
CLEAN_FIRST, CLEAN_LAST = date(2025, 11, 24), date(2025, 12, 4)
BAD = date(2025, 12, 5)
NOW = datetime(2025, 12, 8, 23, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["date", "ticker", "open", "high", "low", "close", "adj_close", "volume"]


@pytest.fixture(scope="module")
def bundled() -> pl.DataFrame:
    frames = [
        pl.read_csv(
            ROOT / "data/sample" / f, try_parse_dates=True, schema_overrides={"volume": pl.Float64}
        )
        for f in ("market_sample.csv", "constituents_sample.csv")
    ]
    return (
        pl.concat(frames)
        .unique(["ticker", "date"])
        .filter(pl.col("date").is_between(CLEAN_FIRST, BAD))
        .sort("ticker", "date")
    )


@pytest.fixture(scope="module")
def clean_warehouse(tmp_path_factory, bundled) -> Path:
    """A warehouse with the clean sessions landed, checked and built."""
    folder = tmp_path_factory.mktemp("clean")
    bundled.filter(pl.col("date") <= CLEAN_LAST).write_csv(folder / "clean.csv")
    wh = Warehouse(folder / "wh.duckdb")
    fetched = FileSource("clean.csv", root=folder).fetch(SYMBOLS, CLEAN_FIRST, CLEAN_LAST, now=NOW)
    report = land_fetch(
        wh, fetched, sessions=sessions_between(CLEAN_FIRST, CLEAN_LAST), symbols=SYMBOLS, now=NOW
    )
    refresh_reference_tables(wh, UNIVERSE)
    run_raw_checks(
        wh, CLEAN_FIRST, CLEAN_LAST, UNIVERSE, ingest_id=report.ingest_id, now=NOW, use_gx=False
    )
    build_marts(wh, CLEAN_FIRST, CLEAN_LAST, UNIVERSE)
    return wh.path


class Case:
    """One corrupted landing of session ``BAD`` and what it left behind."""

    def __init__(self, tmp_path: Path, clean: Path, session: date = BAD) -> None:
        shutil.copy(clean, tmp_path / "wh.duckdb")
        self.wh = Warehouse(tmp_path / "wh.duckdb")
        self.folder = tmp_path
        self.session = session

    def land_file(self, frame: pl.DataFrame | str) -> None:
        path = self.folder / "corrupt.csv"
        if isinstance(frame, str):
            path.write_text(frame)
        else:
            frame.select(COLUMNS).write_csv(path)
        self.land(
            FileSource("corrupt.csv", root=self.folder).fetch(
                SYMBOLS, self.session, self.session, now=NOW
            )
        )

    def land(self, fetched) -> None:
        self.report = land_fetch(
            self.wh, fetched, sessions=[self.session], symbols=SYMBOLS, now=NOW
        )
        self.checks = run_raw_checks(
            self.wh, self.session, self.session, UNIVERSE, ingest_id=self.report.ingest_id, now=NOW
        ).results
        build_marts(self.wh, self.session, self.session, UNIVERSE)

    def result(self, check: str) -> dict:
        return self.checks.filter(pl.col("check") == check).row(0, named=True)

    def sql(self, query: str) -> list[tuple]:
        with self.wh.connect(read_only=True) as con:
            return con.sql(query).fetchall()

    def mart_has(self, table: str, ticker: str) -> bool:
        return bool(
            self.sql(
                f"select count(*) from {table} where session_date = '{self.session}' and ticker = '{ticker}'"
            )[0][0]
        )

    def cross_sectional_built(self) -> bool:
        breadth = self.sql(
            f"select count(*) from marts.breadth where session_date = '{self.session}'"
        )[0][0]
        sectors = self.sql(
            f"select count(*) from marts.sector_performance where session_date = '{self.session}'"
        )[0][0]
        return bool(breadth) and bool(sectors)


@pytest.fixture
def case(tmp_path, clean_warehouse) -> Case:
    return Case(tmp_path, clean_warehouse)


def session_rows(bundled: pl.DataFrame, d: date = BAD) -> pl.DataFrame:
    return bundled.filter(pl.col("date") == d)


def set_value(frame: pl.DataFrame, ticker: str, **values) -> pl.DataFrame:
    return frame.with_columns(
        [
            pl.when(pl.col("ticker") == ticker).then(pl.lit(v)).otherwise(pl.col(c)).alias(c)
            for c, v in values.items()
        ]
    )


def test_the_clean_session_passes_every_blocking_check_and_builds_every_mart(case, bundled):
    case.land_file(session_rows(bundled))
    failed = case.checks.filter(~pl.col("passed"))
    assert failed.filter(pl.col("severity") == "error").is_empty(), failed
    assert case.mart_has("marts.technicals", "SPY") and case.cross_sectional_built()


def test_a_negative_close_is_rejected_kept_and_withheld(case, bundled):
    case.land_file(set_value(session_rows(bundled), "AAPL", close=-1.0))
    r = case.result("rejected_rows")
    assert not r["passed"] and r["severity"] == "error"
    assert "AAPL (close is not a finite positive number)" in r["message"]
    assert case.sql(
        f"select reason from raw.rejected_bars where ticker = 'AAPL' and session_date = '{BAD}'"
    ) == [("close is not a finite positive number",)]  # nothing lost
    assert not case.mart_has("marts.daily_returns", "AAPL")  # nothing built on it
    assert case.mart_has("marts.daily_returns", "MSFT")
    assert not case.cross_sectional_built()


def test_an_ohlc_violation_is_rejected_by_name(case, bundled):
    rows = session_rows(bundled)
    spy = rows.filter(pl.col("ticker") == "SPY").row(0, named=True)
    case.land_file(set_value(rows, "SPY", low=max(spy["open"], spy["close"]) * 1.01))
    assert "SPY (low above min(open, close)" in case.result("rejected_rows")["message"]
    r = case.result("completeness_index_etf")
    assert not r["passed"] and "SPY" in r["message"]
    assert not case.mart_has("marts.streaks", "SPY")


def test_a_fractional_volume_and_a_weekend_row_are_rejected(case, bundled):
    rows = set_value(session_rows(bundled), "MSFT", volume=10.5)
    weekend = rows.filter(pl.col("ticker") == "NVDA").with_columns(
        pl.lit(date(2025, 12, 6)).alias("date")
    )
    case.session = BAD
    path_rows = pl.concat([rows, weekend])
    case.land_file(path_rows)
    msg = case.result("rejected_rows")["message"]
    assert "MSFT (volume is not a whole number)" in msg
    assert case.report.rows_rejected >= 1


def test_conflicting_duplicates_reject_both_copies(case, bundled):
    rows = session_rows(bundled)
    dup = set_value(
        rows.filter(pl.col("ticker") == "QQQ"),
        "QQQ",
        close=rows.filter(pl.col("ticker") == "QQQ")["close"][0] + 1,
    )
    case.land_file(pl.concat([rows, dup]))
    assert case.result("rejected_rows")["message"].count("QQQ (conflicting duplicate rows") == 2
    assert not case.mart_has("marts.daily_returns", "QQQ")


def test_a_missing_etf_fails_completeness_and_blocks_cross_sectional_marts(case, bundled):
    case.land_file(session_rows(bundled).filter(pl.col("ticker") != "IWM"))
    r = case.result("completeness_index_etf")
    assert not r["passed"] and r["severity"] == "error" and r["failing_tickers"] == ["IWM"]
    assert r["message"] == "1 index/ETF bar(s) missing: IWM"
    assert case.mart_has("marts.daily_returns", "SPY")  # per-ticker marts of the rest are built
    assert not case.cross_sectional_built()
    # the stored IWM bar of the previous session is untouched
    assert (
        case.sql(
            f"select count(*) from raw.daily_bars where ticker = 'IWM' and session_date = '{CLEAN_LAST}'"
        )[0][0]
        == 1
    )


@pytest.mark.parametrize(("dropped", "severity"), [(10, "warn"), (40, "error")])
def test_missing_stocks_warn_above_1pct_and_fail_above_5pct(case, bundled, dropped, severity):
    stocks = sorted(UNIVERSE.members("sp500_sample"))[:dropped]
    case.land_file(session_rows(bundled).filter(~pl.col("ticker").is_in(stocks)))
    r = case.result("completeness_stocks")
    assert not r["passed"] and r["severity"] == severity
    assert r["message"].startswith(f"{dropped} of 503 stocks missing")
    assert case.cross_sectional_built() == (severity == "warn")


def test_zero_volume_on_an_index_is_a_warning_only(case, bundled):
    case.land_file(set_value(session_rows(bundled), "^GSPC", volume=0.0))
    r = case.result("zero_volume_index")
    assert not r["passed"] and r["severity"] == "warn" and r["failing_tickers"] == ["^GSPC"]
    assert case.mart_has("marts.technicals", "^GSPC") and case.cross_sectional_built()


def _scaled(rows: pl.DataFrame, ticker: str, factor: float) -> pl.DataFrame:
    return rows.with_columns(
        [pl.when(pl.col("ticker") == ticker).then(pl.col(c) * factor).otherwise(pl.col(c)).alias(c)
         for c in ("open", "high", "low", "close", "adj_close")]
    )  # fmt: skip


def test_an_etf_step_above_25pct_fails_and_a_stock_step_of_30pct_warns(case, bundled):
    rows = _scaled(_scaled(session_rows(bundled), "XLK", 1.30), "MSFT", 1.30)
    case.land_file(rows)
    r = case.result("step_change")
    assert not r["passed"] and r["severity"] == "error" and r["failing_tickers"] == ["XLK"]
    assert "XLK" in r["message"] and "beyond the error threshold" in r["message"]
    assert "MSFT" in r["message"] and "beyond the warning threshold" in r["message"]
    assert not case.mart_has("marts.daily_returns", "XLK")
    assert case.mart_has("marts.daily_returns", "MSFT")


def test_a_100x_price_is_reported_as_a_unit_error(case, bundled):
    case.land_file(_scaled(session_rows(bundled), "AMZN", 100.0))
    r = case.result("step_change")
    assert not r["passed"] and r["severity"] == "error" and "AMZN unit error" in r["message"]
    assert not case.mart_has("marts.technicals", "AMZN")


def test_an_etf_that_stops_tracking_its_index_warns(case, bundled):
    case.land_file(_scaled(session_rows(bundled), "IWM", 1.012))
    r = case.result("etf_tracking")
    assert not r["passed"] and r["severity"] == "warn" and "IWM vs ^RUT" in r["message"]
    assert case.mart_has("marts.daily_returns", "IWM")


def test_a_restated_session_is_flagged_and_its_marts_recomputed(tmp_path, clean_warehouse, bundled):
    case = Case(tmp_path, clean_warehouse, session=CLEAN_LAST)
    before = case.sql(
        f"select close from marts.daily_returns where ticker = 'SPY' and session_date = '{CLEAN_LAST}'"
    )[0][0]
    case.land_file(_scaled(session_rows(bundled, CLEAN_LAST), "SPY", 1.01))
    r = case.result("restatement")
    assert not r["passed"] and r["severity"] == "warn" and r["failing_tickers"] == ["SPY"]
    after = case.sql(
        f"select close from marts.daily_returns where ticker = 'SPY' and session_date = '{CLEAN_LAST}'"
    )[0][0]
    assert after == pytest.approx(before * 1.01)
    assert case.sql("select count(*) from raw.restatements where ticker = 'SPY'")[0][0] == 1


def test_a_file_with_wrong_columns_fails_clearly_and_changes_nothing(case, bundled):
    before = case.sql("select count(*), sum(close) from raw.daily_bars")
    text = "date,ticker,open,high,low,close,volume\n2025-12-05,SPY,1,1,1,1,1\n"
    with pytest.raises(SourceFormatError, match=r"missing \['adj_close'\]"):
        case.land_file(text)
    assert case.sql("select count(*), sum(close) from raw.daily_bars") == before


def test_a_truncated_file_rejects_its_partial_last_row(case, bundled):
    rows = session_rows(bundled)
    path_text = rows.select(COLUMNS).write_csv()
    case.land_file(path_text.rstrip()[:-12])  # cut inside the last row's numbers
    assert case.report.rows_rejected == 1
    r = case.result("rejected_rows")
    assert not r["passed"] and "its last row may be truncated" in r["message"]


def test_freshness_names_each_missing_session_of_the_window_and_why(case, bundled):
    case.land_file(session_rows(bundled))  # 2025-12-05
    # 2025-12-08 is landed from a source that has nothing for it
    case.session = date(2025, 12, 8)
    case.land_file(session_rows(bundled))
    nothing = case.report.ingest_id
    # the landing of 2025-12-09 failed (logged as a landing logs its failure)
    with case.wh.transaction() as con:
        con.execute(
            load_sql("landing/insert_ingest_run"),
            ["failed-1", "run-9", "yfinance", date(2025, 12, 9), date(2025, 12, 9), 1, 3, 0, 0,
             [], "{}", 0, 0, 0, 0, None, "failed", "YahooUnavailable('HTTP 503')", NOW, NOW],
        )  # fmt: skip
    later = run_raw_checks(case.wh, BAD, BAD, UNIVERSE, ingest_id=case.report.ingest_id,
                           now=datetime(2025, 12, 10, 23, 0, tzinfo=UTC), use_gx=False).results  # fmt: skip
    r = later.filter(pl.col("check") == "freshness").row(0, named=True)
    assert not r["passed"] and r["severity"] == "warn"
    assert r["session_date"] == date(2025, 12, 10)
    message = r["message"]
    assert message.startswith(
        "3 of the last 10 closed sessions (2025-11-26..2025-12-10) have no bar: 2025-12-08 (the "
        f"source (files) had nothing for it: 0 of {len(SYMBOLS)} symbols delivered over "
        f"2025-12-08..2025-12-08 (ingest {nothing}, run -; failures in raw.ingest_runs)), "
        "2025-12-09 (landing failed: YahooUnavailable('HTTP 503') (ingest failed-1, run run-9)), "
        f"2025-12-10 ({NEVER_LANDED})."
    ), message
    assert "--partition-range '2025-12-08...2025-12-10'" in message
    assert "older than the catch-up window" not in message
    assert r["observed"] == "latest landed 2025-12-05, 3 missing in the window"


def test_a_broken_breadth_identity_is_caught(case, bundled):
    case.land_file(session_rows(bundled))
    with case.wh.connect() as con:
        con.execute(
            f"update marts.breadth set advancers = advancers + 1 where session_date = '{BAD}'"
        )
    r = run_mart_checks(case.wh, "marts/breadth", BAD, BAD).results.filter(
        pl.col("check") == "breadth_identity"
    )
    assert not r["passed"][0] and "sp500_sample" in r["message"][0]


def test_a_mart_row_missing_for_a_landed_bar_fails_that_marts_coverage_only(case, bundled):
    case.land_file(session_rows(bundled))
    with case.wh.connect() as con:
        con.execute("delete from marts.streaks where ticker = 'SPY' and session_date = ?", [BAD])
    streaks = run_mart_checks(case.wh, "marts/streaks", BAD, BAD).results
    coverage = streaks.filter(pl.col("check") == "coverage")
    assert not coverage["passed"][0]
    assert coverage["failing_tickers"][0].to_list() == ["SPY"]
    assert streaks.filter(pl.col("check") == "unique_key")["passed"].to_list() == [True]
    technicals = run_mart_checks(case.wh, "marts/technicals", BAD, BAD).results
    assert technicals.filter(pl.col("check") == "coverage")["passed"].to_list() == [True]


def test_corrupted_yfinance_responses_are_caught_the_same_way(case, bundled, tmp_path):
    reset_yfinance(tmp_path / "yf")
    rows = session_rows(bundled)
    spy = rows.filter(pl.col("ticker") == "SPY").row(0, named=True)
    corrupted = set_value(
        _scaled(rows, "AMZN", 100.0), "SPY", low=max(spy["open"], spy["close"]) * 1.02
    )
    adapter = ReplayAdapter(corrupted.filter(pl.col("ticker") != "IWM"))  # IWM: HTTP 404
    source = YahooSource(
        session=replay_session(adapter), sleep=lambda s: None, clock=lambda: NOW, batch_size=600
    )
    try:
        case.land(source.fetch(SYMBOLS, BAD, BAD))
    finally:
        reset_yfinance(tmp_path / "yf-after")
    assert "IWM" in case.report.failed
    assert "SPY (low above min(open, close)" in case.result("rejected_rows")["message"]
    assert case.result("completeness_index_etf")["failing_tickers"] == ["IWM", "SPY"]
    assert "AMZN unit error" in case.result("step_change")["message"]
    assert not case.mart_has("marts.daily_returns", "AMZN") and not case.cross_sectional_built()


def test_a_bad_bar_past_the_landing_fails_great_expectations_in_dq_and_in_dagster(
    case, bundled, tmp_path, monkeypatch
):
    """The Great Expectations suite is the second line of defence: a bar that reached
    ``raw.daily_bars`` without the landing's validation (written by hand, or by a landing
    from before a rule existed) fails ``gx_price_sanity`` with its own message, stored in
    ``dq.check_results`` and shown by the Dagster asset check of a real materialization."""
    import dagster as dg

    from assets.raw import daily_bars
    from orchestration.resources import BarSourceResource, WarehouseResource

    rows = session_rows(bundled)
    case.land_file(rows)
    assert case.result("gx_price_sanity")["passed"]  # GX ran (use_gx) on the clean session
    # SPY's stored low set above its open and close, past the landing's validation
    with case.wh.connect() as con:
        con.execute(
            "update raw.daily_bars_stored set low = greatest(open, close) * 1.01 "
            "where ticker = 'SPY' and session_date = ?",
            [BAD],
        )
    # the session's partition materialized again from a source that re-delivers every bar
    # but SPY's: the delivered bars are replaced, SPY's stored bar is kept and validated
    rows.filter(pl.col("ticker") != "SPY").select(COLUMNS).write_csv(tmp_path / "again.csv")
    monkeypatch.setenv("BELLWETHER_FILES_ROOT", str(tmp_path))
    resources = {
        "warehouse": WarehouseResource(
            path=str(case.wh.path), archive_dir=str(tmp_path / "archive")
        ),
        "source": BarSourceResource(kind="files", files_path="again.csv"),
    }
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [daily_bars], partition_key=str(BAD), resources=resources, instance=instance
        )
    assert result.success  # checks do not fail the step: the quality gate withholds instead
    (stored,) = case.sql(
        "select passed, severity, message from dq.check_results where asset = 'raw/daily_bars' "
        f"and \"check\" = 'gx_price_sanity' and session_date = '{BAD}'"
    )
    passed, severity, message = stored
    assert not passed and severity == "error"
    # the low above the open, the close and the high: two of the price rules fail
    assert message == (
        "2 failure(s): SPY (expect_column_values_to_be_between(low_slack)), "
        "SPY (expect_column_values_to_be_between(range_slack))"
    )
    (check,) = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "gx_price_sanity"
    ]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert check.metadata["failed_sessions"].value == [str(BAD)]
    assert f"{BAD}: {message}" in check.metadata["failures"].value
    assert message in check.metadata["great_expectations_summary"].value
