"""``python -m bench.sql_timing`` times a benchmark case statement by statement.

Run as users run it, in a process of its own (it wraps DuckDB's methods for that process),
on the ``queries`` case over the built warehouse: every named query's statement is timed
under its ``sql/`` file name, and ``compare`` lines two outputs up.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bellwether.queries import list_queries
from bellwether.settings import PROJECT_ROOT
from tests.conftest import BUNDLED_LAST


def timing(spec: dict, out: Path) -> subprocess.CompletedProcess:
    path = out.with_suffix(".spec.json")
    path.write_text(json.dumps(spec))
    return subprocess.run(
        [sys.executable, "-m", "bench.sql_timing", str(path), str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_every_named_query_is_timed_under_its_file_name(built_warehouse, tmp_path):
    spec = {
        "case": "queries", "warehouse": str(built_warehouse.path),
        "as_of": BUNDLED_LAST.isoformat(), "start_date": f"{BUNDLED_LAST.year}-01-01",
        "universe": "indices", "breadth_universe": "sp500_sample", "repeats": 2,
        "workdir": str(tmp_path / "work"), "result_path": str(tmp_path / "result.json"),
    }  # fmt: skip
    done = timing(spec, tmp_path / "times.json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "case ok: True" in done.stdout
    times = json.loads((tmp_path / "times.json").read_text())
    for query in list_queries():
        calls, seconds = times[f"queries/{query.name}"]
        assert calls == 3 and seconds > 0, (query.name, calls, seconds)  # cold + 2 warm
    assert times["<open>"][0] >= 1 and times["<close>"][0] >= 1

    compared = subprocess.run(
        [sys.executable, "-m", "bench.sql_timing", "compare",
         str(tmp_path / "times.json"), str(tmp_path / "times.json")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert "queries/daily_moves" in compared.stdout and "total: A" in compared.stdout


def test_a_daily_case_can_keep_one_kind_of_the_days_corporate_actions():
    """The daily case's ``actions``: every one, none, or one kind (what each costs,
    bench/ANALYSIS.md); anything else is an error before the run."""
    from datetime import date

    import polars as pl
    import pytest

    from bench.cases import ACTION_FILTERS, _daily_source

    day = date(2026, 1, 2)
    actions = pl.DataFrame(
        {"ticker": ["A", "B", "C"], "ex_date": [day] * 3,
         "action": ["dividend", "split", "dividend"], "value": [0.1, 2.0, 0.2]}
    )  # fmt: skip
    assert ACTION_FILTERS["splits"](actions)["ticker"].to_list() == ["B"]
    assert ACTION_FILTERS["dividends"](actions)["ticker"].to_list() == ["A", "C"]
    assert ACTION_FILTERS["one_dividend"](actions)["ticker"].to_list() == ["A"]
    with pytest.raises(ValueError, match="one of"):
        _daily_source(20, "mergers")
