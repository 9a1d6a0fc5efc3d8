"""Through the Dagster CLI, as a user would: a later range, then an earlier one, then a
restated session through the source. The warehouse ends equal to one full build, and the
instance shows, for every later mart partition whose rows were rewritten, a
materialization in the run that rewrote it, saying why (bellwether/invalidation.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from bellwether.pipeline import build_marts
from bellwether.universe import default_universe
from bellwether.warehouse import Warehouse
from tests.faults_support import (
    assert_marts_equal,
    copy_warehouse,
    marts_of,
    read_table,
    sample_actions,
    sample_bars,
    write_files_source,
)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def materialize(env: dict[str, str], *partition: str) -> None:
    """``dagster asset materialize --select '*'`` for a partition or a range."""
    args = (
        ["--partition-range", partition[0]]
        if "..." in partition[0]
        else ["--partition", partition[0]]
    )
    done = subprocess.run(
        [sys.executable, "-m", "dagster", "asset", "materialize", "-m", "orchestration.definitions",
         "--select", "*", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]


def cli_env(tmp_path: Path, bars, actions) -> tuple[dict[str, str], Path, Path]:
    """The environment of ``dagster`` CLI runs on the files source serving ``bars`` and
    ``actions``, with a Dagster home, warehouse, archive and reports under ``tmp_path``:
    (env, Dagster home, the source's folder)."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    files = write_files_source(tmp_path / "files", bars, actions)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BELLWETHER_")},
        "DAGSTER_HOME": str(home),
        "BELLWETHER_SOURCE": "files",
        "BELLWETHER_FILES_ROOT": str(tmp_path),
        "BELLWETHER_FILES_PATH": str(files),
        "BELLWETHER_WAREHOUSE": str(tmp_path / "wh.duckdb"),
        "BELLWETHER_ARCHIVE": str(tmp_path / "archive"),
        "BELLWETHER_REPORTS": str(tmp_path / "reports"),
        "PYTHONPATH": str(ROOT),
    }
    return env, home, files


def rebuilt_partitions(home: Path, asset: str) -> dict[str, dict]:
    """Partition -> metadata of the latest materialization that says it was rebuilt."""
    os.environ["DAGSTER_HOME"] = str(home)
    with dg.DagsterInstance.get() as instance:
        records = instance.fetch_materializations(dg.AssetKey(asset.split("/")), limit=5000).records
        out: dict[str, dict] = {}
        for rec in sorted(records, key=lambda r: r.storage_id):
            mat = rec.asset_materialization
            if "rebuilt_because" in mat.metadata:
                out[mat.partition] = {
                    "because": mat.metadata["rebuilt_because"].value,
                    "run": rec.run_id,
                }
        return out


def test_later_range_then_earlier_range_then_a_restatement_through_the_dagster_cli(
    tmp_path, monkeypatch
):
    universe = default_universe()
    bars = sample_bars(universe.symbols, date(2026, 1, 5), date(2026, 1, 30))
    env, home, files = cli_env(tmp_path, bars, sample_actions(universe.symbols))
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    wh = Warehouse(tmp_path / "wh.duckdb")

    materialize(env, "2026-01-20...2026-01-30")
    materialize(env, "2026-01-05...2026-01-16")
    rebuilt = rebuilt_partitions(home, "marts/technicals")
    assert {"2026-01-20", "2026-01-22", "2026-01-30"} <= set(rebuilt)
    assert "2026-01-05" in rebuilt["2026-01-22"]["because"]

    # Yahoo restates ^RUT's 2026-01-08 close; the user re-materializes that session
    restated = bars.with_columns(
        *[
            pl.when((pl.col("ticker") == "^RUT") & (pl.col("date") == date(2026, 1, 8)))
            .then(pl.col(c) * 1.01)
            .otherwise(pl.col(c))
            .alias(c)
            for c in ("open", "high", "low", "close", "adj_close")
        ]
    )
    write_files_source(files, restated)
    materialize(env, "2026-01-08")
    after = rebuilt_partitions(home, "marts/streaks")
    later = {p: m for p, m in after.items() if "2026-01-08" in m["because"]}
    assert later, after
    assert all(p > "2026-01-08" for p in later)
    assert len({m["run"] for m in later.values()}) == 1

    # the warehouse equals one build of the same bars (every mart rebuilt in one run over
    # every session, in a copy)
    copy = copy_warehouse(wh, tmp_path / "full")
    build_marts(copy, date(2026, 1, 5), date(2026, 1, 30), universe)
    assert_marts_equal(marts_of(wh), marts_of(copy))
    assert read_table(wh, "marts.pending_rebuilds").height == 0
