"""The fact-checker as a function: a recap's text in, a :class:`Report` out."""

from __future__ import annotations

from datetime import date

import duckdb

from bellwether.factcheck.check import Checker
from bellwether.factcheck.dates import infer_recap_date, session_on_or_before
from bellwether.factcheck.extract import extract
from bellwether.factcheck.model import Report
from bellwether.factcheck.names import name_index
from bellwether.universe import UniverseConfig, default_universe


class RecapDateError(ValueError):
    """No ``--date`` was given and the text names no date with a year."""


def recap_session(text: str, on: date | None) -> tuple[date, str]:
    """The recap's session and where it came from (given, or inferred from the text)."""
    if on is not None:
        source = "given"
    else:
        found = infer_recap_date(text)
        if found is None:
            raise RecapDateError(
                "the recap names no date with a year; pass its session (--date YYYY-MM-DD)"
            )
        on, written = found
        source = f"inferred from {written!r}"
    session = session_on_or_before(on)
    if session != on:
        source += f"; {on} is not a session, the last session before it is used"
    return session, source


def factcheck_text(
    con: duckdb.DuckDBPyConnection,
    text: str,
    on: date | None = None,
    universe: UniverseConfig | None = None,
) -> Report:
    """Extract every claim of ``text``, check each against the warehouse behind ``con``."""
    universe = universe or default_universe()
    session, source = recap_session(text, on)
    found = extract(text, session, name_index(universe))
    checker = Checker(con, universe, session)
    report = Report(session=session, date_source=source)
    report.verdicts = [checker.check(c) for c in found.claims]
    report.figures_extracted = found.recognised
    report.figures_seen = found.recognised + found.unrecognised
    if report.checkable == 0:
        report.notes.append("no checkable market claim found in the text")
    return report


def factcheck(
    warehouse, text: str, on: date | None = None, universe: UniverseConfig | None = None
) -> Report:
    """:func:`factcheck_text` on a :class:`bellwether.warehouse.Warehouse`, opened read-only."""
    with warehouse.connect(read_only=True) as con:
        return factcheck_text(con, text, on, universe)
