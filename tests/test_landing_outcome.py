"""A run asked for sessions that landed none of their bars fails, naming them and why;
a partial landing stays a success (bellwether/landing_outcome.py, assets/raw.py)."""

from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from bellwether.landing import LandingReport
from bellwether.landing_outcome import nothing_landed_message, sessions_without_bars
from orchestration.resources import BarSourceResource, WarehouseResource
from orchestration.schedules import RANGE_END_TAG, RANGE_START_TAG

D = date.fromisoformat
SYMBOLS = ["^GSPC", "SPY", "AAPL"]


def report(start, end, rows, failed=None, received=None) -> LandingReport:
    failed = failed or {}
    return LandingReport(
        ingest_id="x", source="bundled", start=D(start), end=D(end), sessions=1,
        symbols_requested=SYMBOLS,
        symbols_received=received if received is not None else [s for s in SYMBOLS if s not in failed],
        failed=failed, rows_received=sum(rows.values()), rows_landed=sum(rows.values()),
        rows_rejected=0, actions_landed=0, archive_path=None, rows_per_session=rows,
    )  # fmt: skip


def test_every_session_with_bars_is_a_success_even_when_symbols_failed():
    partial = report("2025-12-01", "2025-12-02", {"2025-12-01": 2, "2025-12-02": 2},
                     failed={"AAPL": "HTTP 404"})  # fmt: skip
    empty = sessions_without_bars([partial], [D("2025-12-01"), D("2025-12-02")])
    assert empty == {}
    assert nothing_landed_message(empty, [D("2025-12-01")]) is None


def test_a_session_after_the_end_of_the_source_says_the_source_ended():
    nothing = {s: "no rows in bundled source for 2026-11-16..2026-11-16" for s in SYMBOLS}
    r = report("2026-11-16", "2026-11-16", {}, failed=nothing, received=[])
    sessions = [D("2026-11-16")]
    empty = sessions_without_bars([r], sessions, source_end=D("2026-06-29"))
    assert empty == {D("2026-11-16"): "after the end of the bundled source's data (2026-06-29)"}
    message = nothing_landed_message(empty, sessions)
    assert "1 of the 1 requested sessions landed none of their bars" in message
    assert "2026-11-16: after the end of the bundled source's data (2026-06-29)" in message
    assert "not marked materialized" in message
    assert "BELLWETHER_SOURCE=yfinance" in message


def test_a_source_that_returned_nothing_and_one_whose_every_symbol_failed_are_told_apart():
    sessions = [D("2025-12-01")]
    empty_result = "empty result: no bars returned (all-null or no timestamps)"
    nothing = report("2025-12-01", "2025-12-01", {}, {s: empty_result for s in SYMBOLS}, [])
    why = sessions_without_bars([nothing], sessions)[D("2025-12-01")]
    assert why == f"the bundled source returned nothing (3 x '{empty_result}')"
    errors = {"^GSPC": "HTTP 500", "SPY": "HTTP 500", "AAPL": "every delivered row was rejected"}
    failing = report("2025-12-01", "2025-12-01", {}, errors, [])
    why = sessions_without_bars([failing], sessions)[D("2025-12-01")]
    assert why.startswith("every one of the 3 symbols failed (2 x 'HTTP 500'; 1 x 'every")


def test_sessions_are_named_as_ranges_with_the_others_kept():
    sessions = [D("2026-06-26"), D("2026-06-29"), D("2026-06-30"), D("2026-07-01")]
    chunk = report("2026-06-26", "2026-07-01", {"2026-06-26": 3, "2026-06-29": 3}, received=SYMBOLS)
    empty = sessions_without_bars([chunk], sessions, source_end=D("2026-06-29"))
    assert list(empty) == [D("2026-06-30"), D("2026-07-01")]
    message = nothing_landed_message(empty, sessions)
    assert "2 of the 4 requested sessions" in message
    assert (
        "- 2026-06-30..2026-07-01 (2 sessions): after the end of the bundled source's data"
        in message
    )
    assert "The bars of the other 2 sessions are stored" in message
    # without a known end: the source skipped a session it had data around
    skipped = sessions_without_bars([chunk], sessions[:3])
    assert "returned no bar for it (3 of 3 symbols delivered bars" in skipped[D("2026-06-30")]


@pytest.fixture
def raw_asset():
    from orchestration.definitions import all_assets

    return [a for a in all_assets if a.key == dg.AssetKey(["raw", "daily_bars"])]


@pytest.mark.slow
def test_a_run_beyond_the_bundled_data_fails_and_leaves_the_partitions_unmaterialized(
    tmp_path, raw_asset
):
    resources = {
        "warehouse": WarehouseResource(
            path=str(tmp_path / "wh.duckdb"), archive_dir=str(tmp_path / "archive")
        ),
        "source": BarSourceResource(kind="bundled"),
    }
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            raw_asset, resources=resources, instance=instance, raise_on_error=False,
            tags={RANGE_START_TAG: "2026-06-29",
                  RANGE_END_TAG: "2026-07-01"},
        )  # fmt: skip
        assert not result.success
        failure = result.failure_data_for_node("raw__daily_bars")
        text = failure.error.message + str(failure.user_failure_data.description)
        assert "2 of the 3 requested sessions landed none of their bars" in text
        assert (
            "2026-06-30..2026-07-01 (2 sessions): after the end of the bundled source's data (2026-06-29)"
            in text
        )
        key = dg.AssetKey(["raw", "daily_bars"])
        assert instance.get_materialized_partitions(key) == set()
    # what did land is kept: the 2026-06-29 bars
    with resources["warehouse"].get().connect(read_only=True) as con:
        assert (
            con.sql("select count(distinct session_date) from raw.daily_bars").fetchall()[0][0] == 1
        )


@pytest.mark.slow
def test_a_failed_one_session_run_shows_its_session_as_failed_on_the_project_instance(
    tmp_path, raw_asset, monkeypatch
):
    """The project's storage (one planned event per asset of a range run) keeps Dagster's
    per-session planned event for a run of one session, so the Partitions tab shows the
    daily run's failure as that session's (a range run's failed sessions stay missing: the
    documented trade-off, ``orchestration/dagster_storage.py``)."""
    from dagster import AssetPartitionStatus

    from orchestration.dagster_storage import BatchingSqliteEventLogStorage
    from orchestration.partitions import session_partitions

    root = Path(__file__).resolve().parent.parent
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((root / "dagster_home" / "dagster.yaml").read_text())
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    resources = {
        "warehouse": WarehouseResource(
            path=str(tmp_path / "wh.duckdb"), archive_dir=str(tmp_path / "archive")
        ),
        "source": BarSourceResource(kind="bundled"),
    }
    key = dg.AssetKey(["raw", "daily_bars"])
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.event_log_storage, BatchingSqliteEventLogStorage)
        ok = dg.materialize(raw_asset, resources=resources, instance=instance,
                            partition_key="2026-06-29")  # fmt: skip
        assert ok.success
        failed = dg.materialize(raw_asset, resources=resources, instance=instance,
                                partition_key="2026-06-30", raise_on_error=False)  # fmt: skip
        assert not failed.success
        status = instance.get_status_by_partition(
            key, ["2026-06-29", "2026-06-30", "2026-07-01"], session_partitions()
        )
        assert status == {
            "2026-06-29": AssetPartitionStatus.MATERIALIZED,
            "2026-06-30": AssetPartitionStatus.FAILED,
            "2026-07-01": None,  # never asked for
        }
