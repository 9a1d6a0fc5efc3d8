"""A change of a mart's definitions rebuilds what the warehouse stored under the old ones.

Each mart has a definition version (``MartSpec.definition_version``), raised whenever a change
of its formulas or rules changes stored values (``DEFINITION_CHANGES``). The warehouse records
the version its marts were built with (``bw_meta.mart_definitions``). The first build of a mart
whose rows were built with another version (or before versions were recorded: version 1)
queues the whole mart, from the first stored bar, and rebuilds it in the same run; the
rebuild log and the Dagster materializations name the change. Breadth is at version 2: a
close equal to its average up to rounding is no longer counted above it.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bellwether.pipeline import build_mart_range
from bellwether.registry import MARTS
from bellwether.warehouse import Warehouse
from tests.faults_support import NOW, read_table
from tests.test_above_average import pinned_warehouse
from tests.test_any_order import UNIVERSE

TAMPERED = date(2026, 1, 20)


def versions(wh: Warehouse) -> dict[str, int]:
    return dict(read_table(wh, "bw_meta.mart_definitions").rows())


def definition_rebuilds(wh: Warehouse) -> pl.DataFrame:
    log = read_table(wh, "marts.rebuild_log")
    return log.filter(pl.col("reason").str.starts_with("definition of"))


def as_built_by_the_old_code(wh: Warehouse) -> None:
    """What a warehouse built before versions and the breadth rule looks like: no recorded
    versions, and breadth's share of the banks above their 20-day averages counting the
    pinned stock's ties as above on one session."""
    with wh.transaction() as con:
        con.execute("DELETE FROM bw_meta.mart_definitions")
        con.execute(
            "UPDATE marts.breadth SET pct_above_sma_20 = 100.0 "
            "WHERE universe = 'banks' AND session_date = $1",
            [TAMPERED],
        )


def test_a_new_warehouse_records_the_versions_and_rebuilds_nothing_for_them(tmp_path):
    wh = pinned_warehouse(tmp_path)
    assert versions(wh) == {name: spec.definition_version for name, spec in MARTS.items()}
    assert MARTS["breadth"].definition_version == 2
    assert definition_rebuilds(wh).is_empty()


def test_breadth_built_under_the_old_rule_is_rebuilt_whole_by_its_next_build(tmp_path):
    wh = pinned_warehouse(tmp_path)
    built = read_table(wh, "marts.breadth").sort("universe", "session_date")
    before = built.filter((pl.col("universe") == "banks") & (pl.col("session_date") == TAMPERED))[
        "pct_above_sma_20"
    ]
    assert before.to_list() != [100.0]  # RF's tie is not above: the old rule's figure differs
    as_built_by_the_old_code(wh)
    others = {n: read_table(wh, f"marts.{n}") for n in MARTS if n != "breadth"}

    for name in MARTS:  # the next run, with no new session
        build_mart_range(wh, f"marts/{name}", [], UNIVERSE, now=NOW)

    assert_frame_equal(read_table(wh, "marts.breadth").sort("universe", "session_date"), built)
    log = definition_rebuilds(wh)
    assert log["mart"].to_list() == ["breadth"]  # the marts still at version 1: nothing
    first_bar = read_table(wh, "raw.daily_bars")["session_date"].min()
    assert log.row(0, named=True)["first_session"] == first_bar
    assert log.row(0, named=True)["last_session"] == built["session_date"].max()
    assert "version 1 -> 2" in log["reason"][0] and "1e-9" in log["reason"][0]
    assert versions(wh) == {name: spec.definition_version for name, spec in MARTS.items()}
    assert read_table(wh, "marts.pending_rebuilds").is_empty()
    for name, rows in others.items():
        assert_frame_equal(read_table(wh, f"marts.{name}"), rows)
    checks = read_table(wh, "dq.check_results").filter(
        (pl.col("asset") == "marts/breadth") & ~pl.col("passed")
    )
    assert checks.is_empty(), checks["message"].to_list()

    # once rebuilt, the next builds rebuild nothing for it
    build_mart_range(wh, "marts/breadth", [], UNIVERSE, now=NOW)
    assert definition_rebuilds(wh).height == 1


def test_a_rebuild_that_fails_stays_queued_with_the_new_version_recorded(tmp_path, monkeypatch):
    """The queue and the version commit together: a build that fails midway leaves the
    whole-mart rebuild queued, and the next run does it."""
    import bellwether.marts as marts_module

    wh = pinned_warehouse(tmp_path)
    built = read_table(wh, "marts.breadth").sort("universe", "session_date")
    as_built_by_the_old_code(wh)

    def broken(*args, **kwargs):
        raise RuntimeError("killed midway")

    monkeypatch.setattr(marts_module, "breadth", broken)
    with pytest.raises(RuntimeError, match="killed midway"):
        build_mart_range(wh, "marts/breadth", [], UNIVERSE, now=NOW)
    assert versions(wh)["breadth"] == 2
    queued = read_table(wh, "marts.pending_rebuilds")
    assert queued["mart"].to_list() == ["breadth"]
    assert queued["reason"][0].startswith("definition of marts.breadth changed")

    monkeypatch.undo()
    build_mart_range(wh, "marts/breadth", [], UNIVERSE, now=NOW)
    assert_frame_equal(read_table(wh, "marts.breadth").sort("universe", "session_date"), built)
    assert read_table(wh, "marts.pending_rebuilds").is_empty()


@pytest.mark.slow
def test_the_daily_run_after_an_upgrade_rebuilds_breadth_through_the_dagster_cli(
    tmp_path, monkeypatch
):
    """A warehouse materialized through Dagster by the old code (simulated: versions not
    recorded, a breadth share counting a tie as above); the user's next daily run
    rewrites breadth's earlier partitions, and the UI says why."""
    from bellwether.universe import default_universe
    from tests.faults_support import sample_actions, sample_bars
    from tests.test_dagster_any_order import cli_env, materialize, rebuilt_partitions

    universe = default_universe()
    bars = sample_bars(universe.symbols, date(2025, 12, 1), date(2026, 1, 30))
    env, home, _ = cli_env(tmp_path, bars, sample_actions(universe.symbols))
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    wh = Warehouse(tmp_path / "wh.duckdb")
    materialize(env, "2025-12-01...2026-01-29")
    built = read_table(wh, "marts.breadth").sort("universe", "session_date")
    universe_name, day = built.filter(pl.col("pct_above_sma_20").is_not_null()).row(-1)[:2]
    with wh.transaction() as con:
        con.execute("DELETE FROM bw_meta.mart_definitions")
        con.execute(
            "UPDATE marts.breadth SET pct_above_sma_20 = pct_above_sma_20 / 2 + 1 "
            "WHERE universe = $1 AND session_date = $2",
            [universe_name, day],
        )

    materialize(env, "2026-01-30")  # the next daily run

    after = read_table(wh, "marts.breadth").sort("universe", "session_date")
    assert_frame_equal(after.filter(pl.col("session_date") < date(2026, 1, 30)), built)
    rebuilt = rebuilt_partitions(home, "marts/breadth")
    assert "definition of marts.breadth changed" in rebuilt[day.isoformat()]["because"]
    assert versions(wh)["breadth"] == 2
