"""Check descriptions in the UI say what docs/QUALITY.md says; the Data Docs are reachable."""

from datetime import date

import dagster as dg
import polars as pl

from checks.dagster_results import check_results
from checks.docs import check_docs, parse_check_docs
from checks.results import Outcome, results_frame


def specs() -> dict[tuple[str, str], dg.AssetCheckSpec]:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    out = {}
    for key in graph.asset_check_keys:
        spec = graph.get_check_spec(key)
        out[(key.asset_key.to_user_string(), key.name)] = spec
    return out


def test_the_check_tables_are_parsed():
    text = """
| check | severity | scope | rule |
|---|---|---|---|
| `gx_schema` | error | session | columns (GX) |
| `completeness_stocks` | warn > 1%, error > 5% | session | share missing |
"""
    docs = parse_check_docs(text)
    assert docs["gx_schema"].severity == "error"
    assert docs["completeness_stocks"].rule == "share missing"


def test_every_check_in_the_ui_is_described_with_its_documented_severity():
    documented = check_docs()
    got = specs()
    assert len(got) >= 11 + 3  # raw's checks and at least one of each mart check
    for (asset, name), spec in got.items():
        doc = documented[name]
        assert spec.description.startswith(f"Severity {doc.severity}."), (asset, name)
        assert doc.rule in spec.description
        # the per-session quality gate blocks, not Dagster; recompute (once per run) blocks
        assert spec.blocking == (name == "recompute"), (asset, name)
    etf = got[("raw/daily_bars", "completeness_index_etf")].description
    assert etf.startswith("Severity error. Error blocks: a failure withholds")
    tracking = got[("raw/daily_bars", "etf_tracking")].description
    assert "Warn does not block: a failure is reported and the rows are published" in tracking
    stocks = got[("raw/daily_bars", "completeness_stocks")].description
    assert "Error blocks" in stocks and "Warn does not block" in stocks
    assert "Nothing is withheld" in got[("marts/streaks", "coverage")].description


def test_the_gx_checks_link_the_data_docs_and_summarize_the_validation_inline(tmp_path):
    page = tmp_path / "docs" / "validation.html"
    s1, s2 = date(2025, 12, 1), date(2025, 12, 2)
    results = results_frame(
        "raw/daily_bars",
        [
            Outcome(s1, "gx_schema", True, "all expectations met"),
            Outcome(s2, "gx_schema", True, "all expectations met"),
            Outcome(s1, "gx_price_sanity", True, "all expectations met", scope="row"),
            Outcome(s2, "gx_price_sanity", False, "1 failure(s): XYZ (low)", scope="row"),
            Outcome(s1, "rejected_rows", True, "none"),
        ],
    )
    by_name = {r.check_name: r for r in check_results(results, str(page))}
    sanity = by_name["gx_price_sanity"].metadata
    assert sanity["great_expectations_data_docs"] == dg.MetadataValue.url(page.as_uri())
    summary = sanity["great_expectations_summary"].value
    assert "validated 2 session(s)" in summary
    assert "`gx_schema`: passed on every session of 2" in summary
    assert "`gx_price_sanity`: failed on 1 session(s) of 2" in summary
    assert "XYZ (low)" in summary and str(page) in summary
    assert "great_expectations_data_docs" not in by_name["rejected_rows"].metadata
    assert by_name["gx_price_sanity"].severity == dg.AssetCheckSeverity.ERROR
    assert isinstance(results, pl.DataFrame)
