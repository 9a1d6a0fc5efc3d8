"""Markdown (pipe) tables, the one writer every report uses (tabulate underneath).

A cell is its text as given (no number reformatting, no padding: a row reads
``| 20x5s | 1.50 |``, the rule ``|---|---|``); ``None`` is an empty cell and a ``|``
inside a cell is escaped so it cannot split the cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tabulate import tabulate


def pipe_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """``header`` and ``rows`` as a Markdown pipe table (lines joined by newlines, no
    trailing newline)."""

    def cell(value: object) -> str:
        return "" if value is None else str(value).replace("|", "\\|")

    lines = tabulate(
        [[cell(v) for v in row] for row in rows],
        headers=[cell(h) for h in header],
        tablefmt="pipe",
        disable_numparse=True,
        stralign=None,
        numalign=None,
    ).split("\n")
    lines[1] = "|" + "---|" * len(header)  # the rule does not depend on the widest cell
    return "\n".join(lines)
