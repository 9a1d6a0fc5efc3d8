"""Writing a brief as Markdown, HTML (charts embedded) and JSON (figures with their queries)."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from bellwether.brief.model import Brief, Figure, Part
from bellwether.mdtable import pipe_table

TEMPLATES = Path(__file__).parent / "templates"


def footnote(f: Figure) -> str:
    """``query daily_moves (as_of=2025-12-05, universe=indices), row ticker=^GSPC, column ret_1d``."""
    params = ", ".join(f"{k}={v}" for k, v in f.params.items())
    row = ", ".join(f"{k}={v}" for k, v in f.key.items()) or "the only row"
    return f"query {f.query} ({params}), row {row}, column {f.column}"


def _md(parts: list[Part]) -> str:
    return "".join(p if isinstance(p, str) else f"{p.formatted()}[^{p.number}]" for p in parts)


def _html(parts: list[Part]) -> Markup:
    out = []
    for p in parts:
        if isinstance(p, str):
            out.append(str(escape(p)))
        else:
            out.append(
                f'<span class="fig">{escape(p.formatted())}</span><sup><a href="#fn-{p.number}">{p.number}</a></sup>'
            )
    return Markup("".join(out))


def to_markdown(brief: Brief) -> str:
    lines = [f"# Market brief: {brief.session}", ""]
    if brief.as_of != brief.session:
        lines += [f"_Asked for {brief.as_of}; this is the last session on or before it._", ""]
    lines += [
        f"Status: {brief.status}. Every figure is footnoted with the named query that produced it.",
        "",
    ]
    for s in brief.sections:
        lines += [f"## {s.title}", ""]
        lines += [_md(sentence) for sentence in s.sentences]
        lines += [f"> {w}" for w in s.withheld]
        if s.table:
            rows = [[_md([c]) for c in row] for row in s.table]
            lines += ["", pipe_table(s.table_header, rows)]
        if s.chart and s.chart in brief.charts:
            lines += ["", f"![{s.chart}]({brief.session}/{s.chart}.png)"]
        lines.append("")
    lines += [f"[^{f.number}]: {footnote(f)}" for f in brief.figures]
    return "\n".join(lines) + "\n"


def to_html(brief: Brief) -> str:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"])
    )
    template = env.get_template("brief.html.j2")

    sections = [
        SimpleNamespace(
            title=s.title, withheld=s.withheld, chart=s.chart, table_header=s.table_header,
            sentences=[_html(x) for x in s.sentences], table=[[_html([c]) for c in row] for row in s.table],
        )
        for s in brief.sections
    ]  # fmt: skip
    view = SimpleNamespace(
        session=brief.session,
        as_of=brief.as_of,
        status=brief.status,
        figures=brief.figures,
        sections=sections,
    )
    encoded = {k: base64.b64encode(v).decode() for k, v in brief.charts.items()}
    return template.render(brief=view, charts=encoded, note=footnote)


def _plain(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def to_json(brief: Brief) -> str:
    figures = [
        {**{k: _plain(v) for k, v in asdict(f).items() if k not in ("params", "key")},
         "params": {k: _plain(v) for k, v in f.params.items()}, "key": {k: _plain(v) for k, v in f.key.items()},
         "formatted": f.formatted()}
        for f in brief.figures
    ]  # fmt: skip
    doc = {
        "session": brief.session.isoformat(),
        "as_of": brief.as_of.isoformat(),
        "status": brief.status,
        "sections": [
            {
                "title": s.title,
                "sentences": [_md(x) for x in s.sentences],
                "withheld": s.withheld,
                "table": [[_md([c]) for c in row] for row in s.table],
                "chart": f"{brief.session}/{s.chart}.png"
                if s.chart and s.chart in brief.charts
                else None,
            }
            for s in brief.sections
        ],
        "figures": figures,
    }
    return json.dumps(doc, indent=2)


def write_brief(brief: Brief, folder: Path) -> dict[str, Path]:
    """Write ``<session>.md/.html/.json`` and the chart PNGs into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    charts = folder / str(brief.session)
    charts.mkdir(exist_ok=True)
    for name, png in brief.charts.items():
        (charts / f"{name}.png").write_bytes(png)
    paths = {
        "md": folder / f"{brief.session}.md",
        "html": folder / f"{brief.session}.html",
        "json": folder / f"{brief.session}.json",
    }
    paths["md"].write_text(to_markdown(brief))
    paths["html"].write_text(to_html(brief))
    paths["json"].write_text(to_json(brief))
    return paths
