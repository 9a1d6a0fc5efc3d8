"""A fact-check report as a terminal table, JSON, or HTML (like the brief's)."""

from __future__ import annotations

import json
import textwrap
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bellwether.factcheck.model import KINDS, VERDICTS, Evidence, Report, Verdict
from bellwether.mdtable import pipe_table

TEMPLATES = Path(__file__).parent / "templates"


def claimed(v: Verdict) -> str:
    """The claim as the text put it (its quote), with the subject when it was named elsewhere."""
    c = v.claim
    subject = c.subject_text or c.subject or ""
    quote = " ".join(c.quote.split())
    if subject and subject.lower() not in quote.lower():
        return f"{subject}: {quote}"
    return quote


def summary_lines(report: Report) -> list[str]:
    counts = report.counts()
    lines = [
        f"Fact-check of a recap for session {report.session} (date {report.date_source}).",
        "Verdicts: " + ", ".join(f"{counts[k]} {k}" for k in VERDICTS) + ".",
    ]
    rate = report.extraction_rate
    if rate is None:
        lines.append("Extraction rate: no figures found in the text.")
    else:
        lines.append(
            f"Extraction rate: {report.figures_extracted} of {report.figures_seen} figures "
            f"recognised as claims ({rate:.0%})."
        )
    lines += report.notes
    return lines


def to_table(report: Report, width: int = 100) -> str:
    """The verdict table for a terminal: one block per claim, sources underneath."""
    out = [*summary_lines(report), ""]
    if not report.verdicts:
        out.append("No market claim found.")
        return "\n".join(out) + "\n"
    out.append(f"{'#':>3}  {'verdict':24} {'kind':13} claim")
    out.append("-" * width)
    for n, v in enumerate(report.verdicts, 1):
        out.append(f"{n:>3}  {v.verdict:24} {v.claim.kind:13} {claimed(v)}")
        pad = " " * 5
        for line in textwrap.wrap(v.explanation, width - 5):
            out.append(pad + line)
        for ev in v.sources():
            for line in textwrap.wrap(
                "source: " + ev.footnote(), width - 5, subsequent_indent="  "
            ):
                out.append(pad + line)
    return "\n".join(out) + "\n"


def to_markdown(report: Report) -> str:
    """The verdict table as Markdown: claim, verdict, why, and the cell it rests on."""
    out = [*summary_lines(report), ""]
    if not report.verdicts:
        return "\n".join([*out, "No market claim found."]) + "\n"
    rows = [
        [
            n,
            claimed(v),
            f"**{v.verdict}**",
            v.explanation,
            "<br>".join(f"`{ev.footnote()}`" for ev in v.sources()) or "-",
        ]
        for n, v in enumerate(report.verdicts, 1)
    ]
    out.append(pipe_table(["#", "claim", "verdict", "why", "source"], rows))
    return "\n".join(out) + "\n"


def _plain(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _evidence(ev: Evidence | None) -> dict | None:
    if ev is None:
        return None
    return {
        "query": ev.query,
        "params": _plain(ev.params),
        "row": _plain(ev.key),
        "column": ev.column,
        "value": _plain(ev.value),
        "footnote": ev.footnote(),
    }


def to_dict(report: Report) -> dict:
    verdicts = []
    for v in report.verdicts:
        c = v.claim
        verdicts.append(
            {
                "verdict": v.verdict,
                "kind": c.kind,
                "measure": c.measure,
                "quote": c.quote,
                "sentence": c.sentence,
                "subject": c.subject,
                "subject_text": c.subject_text,
                "benchmark": c.benchmark,
                "claimed": _plain(c.value),
                "unit": c.unit,
                "comparator": c.comparator,
                "run": c.run,
                "session": _plain(c.on),
                "date_text": c.on_text,
                "period": _plain(c.period),
                "warehouse": v.warehouse,
                "difference": v.difference,
                "reading": v.reading,
                "explanation": v.explanation,
                "evidence": _evidence(v.evidence),
                "reading_evidence": _evidence(v.reading_evidence),
            }
        )
    return {
        "session": report.session.isoformat(),
        "date_source": report.date_source,
        "counts": report.counts(),
        "figures_seen": report.figures_seen,
        "figures_extracted": report.figures_extracted,
        "extraction_rate": report.extraction_rate,
        "notes": report.notes,
        "verdicts": verdicts,
    }


def to_json(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2)


def to_html(report: Report, title: str = "recap") -> str:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"])
    )
    rows = [
        {"n": n, "v": v, "claimed": claimed(v), "css": v.verdict.replace(" ", "-")}
        for n, v in enumerate(report.verdicts, 1)
    ]
    return env.get_template("factcheck.html.j2").render(
        report=report, rows=rows, summary=summary_lines(report), title=title, kinds=KINDS
    )
