"""The brief on a warehouse with two weeks of history never prints a blank: a figure without
enough history says so in words, a chart without data is left out with a sentence why."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bellwether.brief.compose import compose_brief
from bellwether.brief.render import to_html, to_markdown
from bellwether.universe import default_universe
from bellwether.warehouse import Warehouse
from tests.conftest import NOW

FIRST, LAST = date(2026, 1, 5), date(2026, 1, 16)
UNIVERSE = default_universe()

#: What a blank looks like in a rendered brief: a label with no figure after it ("S&P 500: ."),
#: "n/a", an empty pair of brackets, a sentence without words.
BLANKS = re.compile(r":\s*[.;]|\bn/a\b|\(\s*\)|^\s*\.\s*$|\bNone\b|\bnan\b", re.M)


@pytest.fixture(scope="module")
def short_warehouse(tmp_path_factory) -> Warehouse:
    from bellwether.pipeline import run_pipeline
    from bellwether.sources.bundled import BundledSource

    wh = Warehouse(tmp_path_factory.mktemp("short") / "warehouse.duckdb")
    run_pipeline(wh, BundledSource(), UNIVERSE, FIRST, LAST, now=NOW, use_gx=False)
    return wh


@pytest.fixture(scope="module")
def briefs(short_warehouse):
    with short_warehouse.connect(read_only=True) as con:
        return {d: compose_brief(con, d, UNIVERSE) for d in (FIRST, LAST)}


@pytest.mark.parametrize("asked", [FIRST, LAST], ids=str)
def test_no_blank_sentence_and_no_empty_chart(briefs, asked):
    brief = briefs[asked]
    assert brief.session == asked
    assert all(f.value is not None for f in brief.figures)  # no figure prints "n/a"
    text = to_markdown(brief)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("[^"))
    assert not BLANKS.findall(body), BLANKS.findall(body)
    for s in brief.sections:
        assert s.sentences or s.withheld or s.table, s.title  # no empty section
        for sentence in s.sentences:
            words = "".join(p for p in sentence if isinstance(p, str))
            assert re.search(r"[A-Za-z]{3}", words), (s.title, sentence)
        if s.chart:  # a chart announced is a chart drawn
            assert s.chart in brief.charts
    # no index had a close in 2025: the rebased chart is left out, and the brief says why
    assert "indices_rebased" not in brief.charts
    indices = next(s for s in brief.sections if s.title == "The indices")
    assert any("The chart is left out" in str(p) for line in indices.sentences for p in line)
    html = to_html(brief)
    assert html.count("data:image/png;base64,") == len(brief.charts)


def test_a_short_history_says_how_much_is_stored(briefs):
    text = to_markdown(briefs[LAST])
    # ten sessions stored on 2026-01-16: the 20-day average cannot be computed yet
    assert re.search(
        r"S&P 500: RSI\(14\): not enough history, 10\[\^\d+\] of 15 closes stored", text
    )
    assert re.search(r"20-day average: not enough history, 10\[\^\d+\] of 20 sessions stored", text)
    assert re.search(r"SPY traded [\d,]+\[\^\d+\] shares; 3-month average: not enough history, "
                     r"9\[\^\d+\] of 63 sessions stored before it\.", text)  # fmt: skip
    assert "not enough history (no close stored before the period)" in text
    # the first session has no previous close: nothing pretends otherwise
    first = to_markdown(briefs[FIRST])
    assert "1[^" in first and "of 20 sessions stored" in first
