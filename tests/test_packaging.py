"""The built wheel works outside a checkout: ``sql/``, ``config/``, the bundled sample and
the documents the UI descriptions are parsed from ship inside it (``bellwether.shipped``).

The wheel is built with the project's pinned uv, unpacked into a folder, and a pipeline run
on the bundled sample is made by a Python whose working directory is not the checkout and
whose path puts the unpacked wheel first (the third-party packages come from the project's
environment).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UV = ROOT / ".tools" / "bin" / "uv"

SCRIPT = """
import json, sys
from datetime import date
from pathlib import Path
import bellwether, bellwether.settings as s
from bellwether.pipeline import run_pipeline
from bellwether.sources.bundled import BundledSource
from bellwether.universe import default_universe
from bellwether.warehouse import Warehouse
from checks.docs import check_docs
import orchestration.definitions as d
wh = Warehouse(Path("data/writer/warehouse.duckdb"))
res = run_pipeline(wh, BundledSource(), default_universe(), date(2026, 1, 20), date(2026, 1, 22),
                   use_gx=False, symbols=["SPY", "IWM", "XLU", "XLB"])
with wh.connect(read_only=True) as con:
    bars = con.execute("SELECT count(*) FROM raw.daily_bars").fetchone()[0]
print(json.dumps({"package": bellwether.__file__, "sql": str(s.SQL_DIR),
                  "sample": str(s.SAMPLE_DIR), "data": str(s.DATA_DIR), "bars": bars,
                  "checks_documented": len(check_docs()), "assets": len(list(d.defs.assets))}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if not UV.exists():
        pytest.fail(
            f"{UV} is missing: run `make install` first (the Makefile installs the pinned uv)"
        )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([str(UV), "build", "--wheel", "--out-dir", str(out), str(ROOT)],
                   check=True, capture_output=True)  # fmt: skip
    (built,) = out.glob("bellwether-*.whl")
    return built


def test_the_wheel_carries_the_files_the_code_reads(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for rel in ("sql/schema", "config/universe.yaml", "data/sample/market_sample.csv",
                "docs/QUALITY.md", "docs/METRICS.md"):  # fmt: skip
        assert any(n.startswith(f"bellwether/_shipped/{rel}") for n in names), rel
    shipped_sql = {n for n in names if n.startswith("bellwether/_shipped/sql/")}
    assert len(shipped_sql) == len(list((ROOT / "sql").rglob("*.sql")))
    for package in ("bellwether", "assets", "checks", "orchestration"):
        assert f"{package}/__init__.py" in names


def test_an_installed_wheel_runs_the_pipeline_outside_a_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELLWETHER_")}
    env["PYTHONPATH"] = str(site)
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=work, env=env, check=False,
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["package"].startswith(str(site))
    assert got["sql"] == str(site / "bellwether" / "_shipped" / "sql")
    assert got["sample"] == str(site / "bellwether" / "_shipped" / "data" / "sample")
    assert got["data"] == str(work / "data")
    assert got["bars"] == 12
    assert got["checks_documented"] > 10
    assert got["assets"] >= 8
    assert (work / "data" / "writer" / "warehouse.duckdb").exists()
