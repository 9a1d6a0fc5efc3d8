"""The market brief: every figure re-derives from its named query; no number without one."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date

import duckdb
import polars as pl
import pytest

from bellwether.brief.compose import compose_brief
from bellwether.brief.render import to_markdown, write_brief
from bellwether.queries import get_query, run_query
from bellwether.universe import default_universe

UNIVERSE = default_universe()

#: A dozen sessions, with turning points: the first stored session, the first of a year,
#: the April 2025 low and the rally the next day, the 2:1 sector ETF splits, a half day (asked
#: for on the holiday after it), a weekend, the last constituents session, the last sector
#: ETF session, the first session failing completeness, and the last bundled session.
SESSIONS = [
    date(2024, 1, 2), date(2025, 1, 2), date(2025, 4, 8), date(2025, 4, 9), date(2025, 6, 2),
    date(2025, 7, 4), date(2025, 11, 22), date(2025, 12, 5), date(2026, 1, 30), date(2026, 2, 5),
    date(2026, 2, 6), date(2026, 6, 29),
]  # fmt: skip

#: Digits allowed in the text outside figures: names, window labels, the RSI zones' fixed
#: thresholds and the windows' lengths in "14 of 20 sessions stored" (rule constants, not data).
ALLOWED = re.compile(
    r"^\[\^\d+\]:.*$|S&P 500|Russell 2000|\d+-day|52-week|3-month|RSI\(14\)|\((?:above 70|below 30)\)"
    r"| of \d+ (?:sessions|closes) stored",
    re.M,
)


@pytest.fixture(scope="module")
def con(built_warehouse):
    with built_warehouse.connect(read_only=True) as c:
        yield c


@pytest.fixture(scope="module")
def briefs(con):
    return {d: compose_brief(con, d, UNIVERSE) for d in SESSIONS}


#: A footnote as the Markdown prints it (``bellwether.brief.render.footnote``).
FOOTNOTE = re.compile(
    r"^\[\^(?P<n>\d+)\]: query (?P<query>\w+) \((?P<params>[^)]*)\), "
    r"row (?P<row>.*), column (?P<column>\w+)$",
    re.M,
)


def pairs(text: str) -> dict[str, str]:
    return dict(p.split("=", 1) for p in text.split(", ") if p) if text else {}


def typed(query: str, params: dict[str, str]) -> dict[str, object]:
    """The footnote's parameter values, read back by the query's declared types."""
    types = {p.name: p.type for p in get_query(query).params}
    convert = {"INTEGER": int, "BIGINT": int, "DOUBLE": float, "BOOLEAN": lambda v: v == "True"}
    return {k: convert.get(types.get(k, ""), str)(v) for k, v in params.items()}


def cell_named_by(con: duckdb.DuckDBPyConnection, note: re.Match):
    """Re-run the query a printed footnote names and return the cell it points at."""
    rows = run_query(con, note["query"], **typed(note["query"], pairs(note["params"])))
    key = {} if note["row"] == "the only row" else pairs(note["row"])
    for k, v in key.items():
        rows = rows.filter(pl.col(k).cast(pl.String) == v)
    assert rows.height == 1, note.group(0)
    return rows[note["column"]][0]


@pytest.mark.parametrize("asked", SESSIONS, ids=str)
def test_every_figure_is_the_cell_its_footnote_names(con, briefs, asked):
    """Read from the Markdown alone: the text at mark ``[^n]`` is the cell that footnote
    ``n`` names (its query re-run with its printed parameters, its row, its column)."""
    brief = briefs[asked]
    text = to_markdown(brief)
    notes = {int(m["n"]): m for m in FOOTNOTE.finditer(text)}
    assert brief.figures, asked
    assert sorted(notes) == list(range(1, len(brief.figures) + 1))
    for f in brief.figures:
        note = notes[f.number]
        printed = replace(f, value=cell_named_by(con, note)).formatted()
        assert f"{printed}[^{f.number}]" in text, (note.group(0), printed)


@pytest.mark.parametrize("asked", SESSIONS, ids=str)
def test_no_number_is_printed_that_no_query_produced(briefs, asked):
    brief = briefs[asked]
    text = to_markdown(brief)
    for f in brief.figures:
        text = text.replace(f"{f.formatted()}[^{f.number}]", "")
    text = ALLOWED.sub("", text)
    text = re.sub(r"^# Market brief: .*$|^_Asked for .*$|^!\[.*$", "", text, flags=re.M)
    leftovers = [
        line for line in text.splitlines() if re.search(r"\d", line) and not line.startswith(">")
    ]
    assert leftovers == [], leftovers


def test_a_day_without_a_session_takes_the_last_session_before_it(briefs):
    assert briefs[date(2025, 7, 4)].session == date(2025, 7, 3)  # Independence Day -> the half day
    assert briefs[date(2025, 11, 22)].session == date(2025, 11, 21)  # a Saturday


def test_a_session_that_failed_its_checks_says_so_instead_of_printing_numbers(briefs):
    brief = briefs[date(2026, 2, 6)]
    assert brief.status == "partial"
    sectors = next(s for s in brief.sections if s.title == "Sectors")
    assert sectors.sentences == []
    assert "completeness_index_etf" in sectors.withheld[0] and "XLK" in sectors.withheld[0]
    quality = next(s for s in brief.sections if s.title == "Data quality")
    assert any("completeness_index_etf (error)" in str(p) for s in quality.sentences for p in s)


def test_rules_pick_the_words(briefs):
    text = to_markdown(briefs[date(2025, 4, 9)])
    assert "The S&P 500 rose" in text  # the tariff-pause rally
    assert "Leaders:" in text and "Laggards:" in text
    text = to_markdown(briefs[date(2025, 4, 8)])
    assert "The S&P 500 fell" in text


def test_the_brief_is_written_as_markdown_html_and_json_with_its_charts(briefs, tmp_path):
    brief = briefs[date(2025, 12, 5)]
    paths = write_brief(brief, tmp_path)
    doc = json.loads(paths["json"].read_text())
    assert doc["session"] == "2025-12-05" and len(doc["figures"]) == len(brief.figures)
    assert all(f["query"] and f["column"] for f in doc["figures"])
    html = paths["html"].read_text()
    assert html.count("data:image/png;base64,") == 4  # indices, RUT/GSPC ratio, sectors, breadth
    assert f'id="fn-{len(brief.figures)}"' in html
    for name in ("indices_rebased", "rut_vs_gspc", "sector_moves", "breadth"):
        assert (tmp_path / "2025-12-05" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"


def test_a_brief_after_the_data_names_the_last_session_it_could_be_written_for(con):
    """Asked for a session after the data's end (or before its start), the brief says which
    session it found no index bar for and which session it could be written for."""
    after = compose_brief(con, date(2026, 7, 15), default_universe())
    assert after.status == "missing"
    [why] = after.sections[0].withheld
    assert why == (
        "no index bar is landed for 2026-07-15, the last NYSE session on or before 2026-07-15; "
        "the last session with index bars is 2026-06-29 (`bellwether brief --date 2026-06-29`)"
    )
    before = compose_brief(con, date(2023, 12, 31), default_universe())
    assert before.sections[0].withheld == [
        "no index bar is landed for 2023-12-29, the last NYSE session on or before "
        "2023-12-31, nor for any session before it"
    ]
