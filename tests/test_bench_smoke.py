"""Smoke test of the benchmark harness (``make bench``) at a tiny size: every case runs in its
own process and the results table and report are well formed. No timing is asserted."""

from __future__ import annotations

import io

import pytest

from bench.report import checksum_differences
from bench.runner import Options, run_bench
from bench.sizes import parse_size, parse_sizes

pytestmark = pytest.mark.slow


def test_sizes_parse():
    assert [s.name for s in parse_sizes("all")] == ["sample", "500x10y", "3000x25y"]
    big = parse_size("3000x25y")
    assert (big.n_symbols, big.first.isoformat(), big.last.isoformat()) == (
        3000, "2001-01-01", "2025-12-31",
    )  # fmt: skip
    assert parse_size("20x5s").first.isoformat() == "2025-12-24"  # 12-25 is a holiday
    with pytest.raises(ValueError, match="unknown benchmark size"):
        parse_size("lots")


@pytest.mark.bench_smoke  # make bench-smoke, not make test
def test_the_bench_runs_at_a_tiny_size_and_writes_a_well_formed_report(tmp_path):
    size = parse_size("20x5s")
    report = tmp_path / "BENCHMARKS.md"
    out = run_bench(
        Options(
            sizes=[size],
            repeats=1,
            workdir=tmp_path / "work",
            report=report,
            groups=("backfill", "engines", "daily", "queries"),
            daily_sizes=[size],
            daily_modes=("bare",),  # the Dagster daily run is the backfill's code path
            variant_max_sessions=0,
            query_repeats=1,
            profile_missed=False,
            command="pytest tests/test_bench_smoke.py",
            log=io.StringIO(),
        )
    )
    runs = out["doc"]["runs"]
    expected = {
        f"{case}/20x5s"
        for case in ("dagster_backfill", "dagster_create_run", "bare_backfill", "engine_polars", "engine_duckdb_sql",
                     "engine_naive_pandas", "daily_bare", "daily_bare_trailing", "daily_bare_no_actions",
                     "daily_bare_dividends",
                     "publish_daily", "queries")
    }  # fmt: skip
    assert expected <= set(runs)
    for case in expected:
        (result,) = runs[case]
        assert result["ok"], (case, result.get("error"))
        assert result["seconds"] > 0 and result["peak_rss_mb"] > 0
    assert runs["dagster_backfill/20x5s"][0]["extra"]["success"]
    # the Dagster figures of the targets: the instance's size and the run's creation
    assert runs["dagster_backfill/20x5s"][0]["extra"]["instance_mb"] > 0
    assert runs["dagster_create_run/20x5s"][0]["extra"]["sessions"] == 5
    # the three engines computed the same metrics
    sums = {
        e: runs[f"engine_{e}/20x5s"][0]["extra"]["checksums"]
        for e in ("polars", "duckdb_sql", "naive_pandas")
    }
    assert set(sums["polars"]) == {"daily_returns", "streaks", "technicals",
                                   "relative_performance", "sector_performance", "breadth"}  # fmt: skip
    assert checksum_differences(sums["polars"], sums["duckdb_sql"]) == []
    assert checksum_differences(sums["polars"], sums["naive_pandas"]) == []
    queries = runs["queries/20x5s"][0]["extra"]["queries"]
    assert queries and all("times_ms" in q for q in queries.values()), queries
    # measured again with the universe its documentation names, beside the `stocks` run
    assert "times_ms" in queries["index_levels_rebased (universe=indices)"]
    # every target is reported, judged or marked as not measured at this size
    assert {t["status"] for t in out["targets"]} <= {"met", "missed", "reported", "not measured"}
    assert len(out["targets"]) == 17
    # the publish after the daily run: the day's session whole, the rest by ticker
    published = runs["publish_daily/20x5s"][0]["extra"]
    assert published["daily_publish_sessions"] == 1 and published["in_place_s"] > 0
    # the daily run's Great Expectations share is measured (issue 14's goal)
    assert runs["daily_bare/20x5s"][0]["extra"]["gx_s"] > 0
    text = report.read_text()
    for heading in ("## Targets", "## 1-2. Backfill", "## 3-4. Metric engines",
                    "## 5. Daily incremental run", "## 6. Named query latency", "## All cases"):  # fmt: skip
        assert heading in text
    table = [line for line in text.splitlines() if line.startswith("| 20x5s |")]
    assert len(table) >= 2  # the backfill and the engines rows
    assert (tmp_path / "work" / "results.json").exists()
    # the compaction bench (bench/ANALYSIS.md) on the history the cases built: its steps run
    from bench.compaction import measure

    (history,) = (tmp_path / "work").glob("**/20x5s.duckdb")
    found = measure(history, tmp_path / "compaction", rebased=3, repeats=1, say=lambda s: None)
    assert found["queries_before"].keys() == found["queries_after"].keys() != set()
    assert [p["method"] for p in found["publishes_after"]] == [
        "copy",
        "copy",
        "in place",
        "in place",
    ]
    assert "marts.technicals" in found["layouts_after"] and found["compaction_s"] > 0
