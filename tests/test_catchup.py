"""The catch-up window, gap ranges and the freshness check over them (pure, no Dagster)."""

from datetime import date

import dagster as dg
import polars as pl
import pytest

from bellwether.calendar import sessions_between
from bellwether.catchup import fill_command, gap_ranges, older_gaps, window_sessions
from checks.raw_checks import NEVER_LANDED, check_freshness
from orchestration.partitions import session_partitions

D = date.fromisoformat
ATTEMPTS_SCHEMA = {
    "ingest_id": pl.String, "run_id": pl.String, "source": pl.String,
    "start_session": pl.Date, "end_session": pl.Date, "status": pl.String, "error": pl.String,
    "symbols_requested": pl.Int32, "symbols_received": pl.Int32, "failures": pl.String,
}  # fmt: skip


def attempts(*rows) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=ATTEMPTS_SCHEMA, orient="row")


def test_the_window_is_the_last_n_sessions_and_they_are_the_partition_keys():
    window = window_sessions(D("2025-12-01"), 5)  # across Thanksgiving (11-27)
    assert window == [
        D(k) for k in ("2025-11-24", "2025-11-25", "2025-11-26", "2025-11-28", "2025-12-01")
    ]
    assert window_sessions(D("2025-12-06"), 1) == [D("2025-12-05")]  # a Saturday ends on Friday
    long = window_sessions(D("2025-12-31"), 252)
    keys = session_partitions().get_partition_keys_in_range(
        dg.PartitionKeyRange(str(long[0]), str(long[-1]))
    )
    assert [str(s) for s in long] == keys and len(long) == 252
    with pytest.raises(ValueError, match="at least one session"):
        window_sessions(D("2025-12-01"), 0)


def test_gaps_are_ranges_of_consecutive_sessions():
    missing = [D("2025-11-26"), D("2025-11-28"), D("2025-12-01"), D("2025-12-03"), D("2025-12-03")]
    assert gap_ranges(missing) == [
        (D("2025-11-26"), D("2025-12-01")),
        (D("2025-12-03"), D("2025-12-03")),
    ]
    assert gap_ranges([]) == []


def test_older_gaps_start_at_the_first_present_session_and_stop_before_the_window():
    present = [D("2025-11-03"), D("2025-11-04"), D("2025-11-07"), D("2025-11-12")]
    assert older_gaps(present, D("2025-11-11")) == [
        (D("2025-11-05"), D("2025-11-06")),
        (D("2025-11-10"), D("2025-11-10")),
    ]
    assert older_gaps([], D("2025-11-11")) == []


def test_freshness_passes_when_the_window_and_the_history_are_whole():
    history = sessions_between("2025-10-01", "2025-12-05")
    out = check_freshness(history, attempts(), window_sessions(D("2025-12-05"), 10))
    assert out.passed and out.session_date == D("2025-12-05") and out.severity == "warn"
    assert out.message == (
        "every one of the last 10 closed sessions (2025-11-21..2025-12-05) is landed, and no "
        "older session is missing (latest 2025-12-05)"
    )


def test_freshness_explains_every_missing_session_by_its_latest_landing():
    window = window_sessions(D("2025-12-05"), 10)
    landed = [s for s in sessions_between("2025-10-01", "2025-12-01") if s != D("2025-10-15")]
    out = check_freshness(
        landed,
        attempts(
            ("a", "r1", "yfinance", D("2025-12-02"), D("2025-12-03"), "failed", "boom", 3, 0, "{}"),
            # a later landing of 12-03 succeeded but had nothing for it
            (
                "b",
                None,
                "yfinance",
                D("2025-12-03"),
                D("2025-12-03"),
                "succeeded",
                None,
                3,
                1,
                "{}",
            ),
        ),
        window,
    )
    assert not out.passed
    assert out.message.startswith(
        "4 of the last 10 closed sessions (2025-11-21..2025-12-05) have no bar: "
        "2025-12-02 (landing failed: boom (ingest a, run r1)), "
        "2025-12-03 (the source (yfinance) had nothing for it: 1 of 3 symbols delivered over "
        "2025-12-03..2025-12-03 (ingest b, run -; failures in raw.ingest_runs)), "
        f"2025-12-04 ({NEVER_LANDED}), 2025-12-05 ({NEVER_LANDED})."
    ), out.message
    assert fill_command(D("2025-12-02"), D("2025-12-05")) in out.message
    # the hole of 2025-10-15 is older than the window: named with its command, not asked for
    assert "1 session(s) older than the catch-up window (10 sessions) are missing" in out.message
    assert f"`{fill_command(D('2025-10-15'), D('2025-10-15'))}`" in out.message
    assert out.observed == "latest landed 2025-12-01, 4 missing in the window"


def test_freshness_on_an_empty_warehouse_names_the_whole_window():
    out = check_freshness([], attempts(), window_sessions(D("2025-12-05"), 3))
    assert not out.passed
    assert out.message.startswith("3 of the last 3 closed sessions (2025-12-03..2025-12-05)")
    assert "older than" not in out.message


def test_the_fill_command_names_the_instance_in_use(monkeypatch):
    """Pasted as printed, the command backfills the Dagster instance that named the gap."""
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    assert fill_command(D("2025-12-02"), D("2025-12-05")).startswith(
        "DAGSTER_HOME=$PWD/dagster_home .venv/bin/dagster asset materialize"
    )
    monkeypatch.setenv("DAGSTER_HOME", "/srv/bw dagster")
    assert fill_command(D("2025-12-02"), D("2025-12-05")).startswith(
        "DAGSTER_HOME='/srv/bw dagster' .venv/bin/dagster asset materialize"
    )
