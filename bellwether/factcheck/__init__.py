"""Fact-checking a market recap against the warehouse.

``factcheck(warehouse, text, on=date(2026, 1, 22))`` extracts every numeric market claim
of a recap with fixed rules (:mod:`.rules`), resolves its names through the universe config
(:mod:`.names`) and its dates to NYSE sessions (:mod:`.dates`), checks it through named
queries (:mod:`.check`) and returns a :class:`~.model.Report` of verdicts, each with the
query, parameters, row and column behind it; :mod:`.render` prints it as a table, JSON or
HTML.
"""

from bellwether.factcheck.api import RecapDateError, factcheck, factcheck_text
from bellwether.factcheck.model import VERDICTS, Claim, Evidence, Report, Verdict

__all__ = [
    "VERDICTS",
    "Claim",
    "Evidence",
    "RecapDateError",
    "Report",
    "Verdict",
    "factcheck",
    "factcheck_text",
]
