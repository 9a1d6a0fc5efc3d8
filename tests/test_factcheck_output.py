"""Every verdict's source re-derives its value; the CLI prints a table, JSON and HTML."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from bellwether.factcheck import factcheck, factcheck_text
from bellwether.factcheck.model import UNCHECKABLE, VERDICTS
from bellwether.factcheck.render import to_html, to_json
from bellwether.queries import get_query, run_query
from orchestration.cli import main
from tests.test_factcheck_corpus import RECAPS

RECAP = """# Market wrap: Thursday, January 22, 2026

The S&P 500 rose 0.55% to 6,913.35, its third record close of the year.
The Russell 2000 extended its winning streak to 14 sessions.
IWM traded 35.1M shares against a 40.1M average. The VIX fell 5%.
Materials led with +1.29% while Utilities fell 0.72%.
"""


@pytest.fixture(scope="module")
def con(built_warehouse):
    with built_warehouse.connect(read_only=True) as c:
        yield c


def test_every_verdict_names_a_query_its_parameters_row_and_column_that_rederive_it(con):
    seen = 0
    for build in RECAPS:
        text, on, _ = build(con)
        report = factcheck_text(con, text, on)
        for v in report.verdicts:
            if v.verdict == UNCHECKABLE:
                assert v.evidence is None and v.explanation
                continue
            assert v.evidence is not None, v.claim.quote
            for ev in v.sources():
                query = get_query(ev.query)
                assert set(ev.params) == set(query.param_names)
                assert set(ev.key) | {ev.column} <= set(query.column_names)
                df = run_query(con, ev.query, **ev.params)
                for k, value in ev.key.items():
                    df = df.filter(pl.col(k) == value)
                assert df.height <= 1, (ev.footnote(), df)
                assert (df[ev.column][0] if df.height else None) == ev.value, ev.footnote()
                seen += 1
    assert seen > 80


def test_the_function_api_on_a_warehouse_infers_the_date(built_warehouse):
    report = factcheck(built_warehouse, RECAP)
    assert report.session == date(2026, 1, 22)
    assert report.date_source == "inferred from 'Thursday, January 22, 2026'"
    kinds = [(v.claim.kind, v.verdict) for v in report.verdicts]
    assert kinds == [
        ("move_pct", "confirmed"),
        ("level", "confirmed"),
        ("record_count", "confirmed"),
        ("streak", "matches another reading"),
        ("volume", "confirmed"),
        ("volume", "matches another reading"),
        ("move_pct", "not in the warehouse"),
        ("sector", "wrong"),
        ("sector", "wrong"),
        ("sector", "confirmed"),
    ]
    streak = report.verdicts[3]
    assert "relative run" in streak.reading and streak.reading_evidence.column == "run_length"
    assert (
        report.verdicts[7].warehouse == "neither"
        and "ranked 5 of 11" in report.verdicts[7].explanation
    )
    sector = report.verdicts[8]
    assert sector.warehouse == "+0.57%" and sector.difference == "-0.72 pp"


def test_a_date_that_is_not_a_session_is_wrong_and_says_whose_figure_it_is(con):
    report = factcheck_text(
        con, "The Russell 2000 closed at 2,669.16 on January 25.", date(2026, 1, 27)
    )
    (v,) = report.verdicts
    assert v.verdict == "wrong"
    assert v.explanation.startswith("2026-01-25 is a Sunday, not an NYSE session; on 2026-01-23")
    assert "(the figure is that session's)" in v.explanation


def test_the_cli_prints_the_table_json_and_writes_html(
    built_warehouse, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("BELLWETHER_PUBLISHED", str(built_warehouse.path))  # what readers open
    recap = tmp_path / "recap.md"
    recap.write_text(RECAP)
    html = tmp_path / "out" / "recap.html"
    assert main(["factcheck", str(recap), "--date", "2026-01-22", "--html", str(html)]) == 0
    out = capsys.readouterr().out
    assert "Extraction rate: 10 of 10 figures recognised as claims (100%)." in out
    assert (
        "query daily_moves (as_of=2026-01-22, universe=market), row ticker=^GSPC, column ret_1d"
        in out
    )
    page = html.read_text()
    assert "<h1>Fact-check: recap.md</h1>" in page and "matches another reading" in page
    assert main(["factcheck", str(recap), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["session"] == "2026-01-22" and doc["extraction_rate"] == 1.0
    assert set(doc["counts"]) == set(VERDICTS)
    first = doc["verdicts"][0]
    assert first["evidence"] == {
        "query": "daily_moves",
        "params": {"as_of": "2026-01-22", "universe": "market"},
        "row": {"ticker": "^GSPC"},
        "column": "ret_1d",
        "value": first["evidence"]["value"],
        "footnote": "query daily_moves (as_of=2026-01-22, universe=market), row ticker=^GSPC, column ret_1d",
    }


def test_the_cli_asks_for_a_date_when_the_text_has_none(
    built_warehouse, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("BELLWETHER_PUBLISHED", str(built_warehouse.path))  # what readers open
    recap = tmp_path / "recap.txt"
    recap.write_text("The S&P 500 rose 0.55% on Thursday.")
    assert main(["factcheck", str(recap)]) == 2
    assert "--date" in capsys.readouterr().err
    assert main(["factcheck", str(tmp_path / "missing.md"), "--date", "2026-01-22"]) == 2


def test_the_cli_says_what_is_wrong_with_a_recap_it_cannot_read_or_check(
    built_warehouse, tmp_path, monkeypatch, capsys
):
    """A recap that is not UTF-8 text, or no published warehouse to check it against: a
    message and exit 2, not a traceback."""
    monkeypatch.setenv("BELLWETHER_PUBLISHED", str(built_warehouse.path))
    recap = tmp_path / "recap.md"
    recap.write_bytes("The S&P 500 rose 0.55% on 2026-01-22.".encode("utf-16"))
    assert main(["factcheck", str(recap)]) == 2
    assert "is not UTF-8 text" in capsys.readouterr().err
    recap.write_text("The S&P 500 rose 0.55% on 2026-01-22.")
    monkeypatch.setenv("BELLWETHER_PUBLISHED", str(tmp_path / "nowhere.duckdb"))
    assert main(["factcheck", str(recap)]) == 2
    assert "does not exist yet" in capsys.readouterr().err


def test_renderers_handle_an_empty_report(con):
    report = factcheck_text(con, "Nothing to see.", date(2026, 1, 22))
    assert json.loads(to_json(report))["verdicts"] == []
    assert "No market claim found in the text." in to_html(report)


def test_the_readme_example_is_the_output_of_the_code(built_warehouse):
    from pathlib import Path

    from bellwether.factcheck.render import to_markdown

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text()
    shown = readme.split("<!-- factcheck-example:start -->\n")[1].split(
        "\n<!-- factcheck-example:end -->"
    )[0]
    text = (root / "docs" / "examples" / "recap_2026-01-22.md").read_text()
    assert f"```markdown\n{text.rstrip()}\n```" in readme
    assert to_markdown(factcheck(built_warehouse, text)).rstrip("\n") == shown


def test_a_period_starting_on_or_after_the_recaps_session_is_answered_not_raised(con):
    """ "Since" the recap's own session, or a later day: the period (or its reading from the
    next close) is empty, which holds no value: a verdict, never the named query's refusal
    of a reversed period."""
    for text in (
        "On 2026-01-22 the S&P 500 is up 4% since 2026-02-03.",
        "On 2026-01-22 the S&P 500 is up 0.55% since 2026-01-22.",
    ):
        report = factcheck_text(con, text, date(2026, 1, 22))
        assert report.verdicts, text
