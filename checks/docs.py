"""Check descriptions for the Dagster UI, generated from ``docs/QUALITY.md`` (the one place
every check's severity, scope and rule is written).

Every Markdown table there whose header is ``| check | severity | scope | rule |`` is read;
a check's description names its severity and what it does, in the words of the quality
gate: ``error`` blocks (the failing rows or sessions are withheld from the marts; the
other sessions of the run go on), ``warn`` does not (reported, published).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bellwether.settings import DOCS_DIR

QUALITY_DOC: Path = DOCS_DIR / "QUALITY.md"
_HEADER = ["check", "severity", "scope", "rule"]

#: What a severity does, for checks of raw/daily_bars (the quality gate) and of the marts.
RAW_MEANING = {
    "error": "Error blocks: a failure withholds the failing rows or session from the marts "
    "(the quality gate), while the run's other sessions still build.",
    "warn": "Warn does not block: a failure is reported and the rows are published.",
}
MART_MEANING = (
    "A failure means the mart's rows of the session are wrong (a build defect). Nothing is "
    "withheld: fix it and re-materialize the session."
)


@dataclass(frozen=True)
class CheckDoc:
    """One row of a check table of docs/QUALITY.md."""

    name: str
    severity: str
    scope: str
    rule: str


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_check_docs(markdown: str) -> dict[str, CheckDoc]:
    """``{check: CheckDoc}`` from the check tables of ``markdown`` (backticks dropped from
    the check's name)."""
    out: dict[str, CheckDoc] = {}
    in_table: bool | None = None
    for line in markdown.splitlines():
        if not line.startswith("|"):
            in_table = None
            continue
        cells = _cells(line)
        if in_table is None:
            in_table = [c.lower() for c in cells] == _HEADER
            continue
        if not in_table or set(line) <= set("|-: "):
            continue
        name, severity, scope, rule = cells
        name = name.strip("`")
        out[name] = CheckDoc(name, severity, scope, rule)
    return out


@cache
def check_docs() -> dict[str, CheckDoc]:
    """The checks of docs/QUALITY.md."""
    return parse_check_docs(QUALITY_DOC.read_text())


def severity_meaning(severity: str, *, mart: bool) -> str:
    """What a (documented) severity does, in words."""
    if mart:
        return MART_MEANING
    levels = [level for level in ("error", "warn") if level in severity]
    return (
        "; ".join(f"{level}: {RAW_MEANING[level]}" for level in levels)
        if len(levels) > 1
        else RAW_MEANING[levels[0]]
    )


def check_description(name: str, *, mart: bool = False) -> str:
    """The UI description of check ``name``: severity first, then scope and rule."""
    doc = check_docs().get(name)
    if doc is None:
        raise KeyError(f"check {name!r} is not documented in {QUALITY_DOC.name}")
    return (
        f"Severity {doc.severity}. {severity_meaning(doc.severity, mart=mart)} "
        f"Scope: {doc.scope}. Rule: {doc.rule}. (docs/QUALITY.md)"
    )
