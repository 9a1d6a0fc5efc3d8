"""The one interface every bar source implements.

A source answers ``fetch(symbols, start, end)`` for validated symbols and an inclusive
session range with a :class:`FetchResult`: a source frame of bars (see
:mod:`bellwether.bars`), the corporate actions it knows of in the range, and the symbols it
could not deliver with a reason each. A source never raises for one bad symbol; it raises
:class:`SourceUnavailableError` when it cannot answer at all (Yahoo unreachable, file
missing), with a message that says what to do instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable

import polars as pl

from bellwether.bars import empty_actions, empty_source_bars


class SourceError(RuntimeError):
    """A source cannot answer the request at all."""


class SourceUnavailableError(SourceError):
    """The source is out of reach (network, missing file); the message says what to do."""


class SourceFormatError(SourceError):
    """The source's data is not in the expected format (wrong columns, unreadable file)."""


@dataclass
class FetchResult:
    """What a source delivered for one request."""

    source: str
    bars: pl.DataFrame = field(default_factory=empty_source_bars)
    actions: pl.DataFrame = field(default_factory=empty_actions)
    #: symbol -> why it delivered nothing (HTTP 404, empty result, all-null quotes, ...)
    failed: dict[str, str] = field(default_factory=dict)
    #: the session through which the delivered values reflect corporate actions (the
    #: snapshot's date: Yahoo adjusts all history for every action up to the download);
    #: None: the end of the requested range (see docs/METRICS.md, "Corporate actions")
    basis_session: date | None = None
    #: True when ``actions`` lists every action of the received symbols in the requested
    #: range, so a stored action that is missing from it was withdrawn by the source
    actions_complete: bool = False

    @property
    def received(self) -> list[str]:
        """Symbols with at least one row in ``bars``."""
        return sorted(self.bars["ticker"].drop_nulls().unique().to_list())


@runtime_checkable
class BarSource(Protocol):
    """A provider of daily bars."""

    name: str

    def fetch(self, symbols: list[str], start: date, end: date) -> FetchResult:
        """Bars for ``symbols`` on sessions ``start <= d <= end`` (inclusive)."""
        ...
