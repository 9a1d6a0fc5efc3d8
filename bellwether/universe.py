"""The checked-in instrument universe (``config/universe.yaml``).

The file lists every instrument (symbol, name, kind, sector, size class, published price
precision), named universes of members, the ``(ticker, benchmark)`` pairs used for relative
performance, and the ETF-to-index tracking pairs used by the quality checks. Loading
validates everything: symbols against the strict pattern, kinds and size classes against
their vocabularies, and every universe member and pair against the instrument list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import polars as pl
import pydantic
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from bellwether.settings import UNIVERSE_FILE
from bellwether.symbols import validate_symbol

Kind = Literal["index", "etf", "stock"]
SizeClass = Literal["large_cap", "small_cap", "all_cap"]
KINDS: tuple[str, ...] = Kind.__args__
SIZE_CLASSES: tuple[str, ...] = SizeClass.__args__
DEFAULT_PRICE_DECIMALS = 4

#: A symbol checked against the strict pattern (:func:`bellwether.symbols.validate_symbol`).
Symbol = Annotated[str, BeforeValidator(validate_symbol)]
#: A non-empty string, surrounding spaces removed.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class UniverseConfigError(ValueError):
    """The universe file is malformed; the message names the entry."""


@pydantic.dataclasses.dataclass(frozen=True)
class Instrument:
    """One tradable or index symbol (validated when built: a file entry or code)."""

    symbol: Symbol
    kind: Kind
    name: str | None = None
    sector: str | None = None
    size_class: SizeClass | None = None
    #: Decimals the source publishes prices at; "unchanged close" is judged at this precision.
    price_decimals: Annotated[int, Field(strict=True, ge=0, le=8)] = DEFAULT_PRICE_DECIMALS
    #: Other names the instrument goes by in prose ("small caps", "SPX"); optional.
    aliases: Annotated[tuple[Text, ...], BeforeValidator(lambda v: () if v is None else v)] = ()


@dataclass(frozen=True)
class Universe:
    """A named, ordered list of member symbols.

    ``active_from``/``active_to`` bound the sessions on which the membership list is
    defined (e.g. the bundled constituents sample, a membership snapshot that covers
    2025-06-02..2026-01-30); completeness and breadth are judged only inside that window.
    """

    name: str
    members: tuple[str, ...]
    description: str = ""
    breadth: bool = False
    active_from: date | None = None
    active_to: date | None = None

    def is_active(self, session: date) -> bool:
        """True if the membership list applies on ``session``."""
        return (self.active_from is None or session >= self.active_from) and (
            self.active_to is None or session <= self.active_to
        )


@dataclass(frozen=True)
class UniverseConfig:
    """Everything in ``config/universe.yaml``, validated."""

    instruments: dict[str, Instrument]
    universes: dict[str, Universe]
    relative_pairs: tuple[tuple[str, str], ...] = ()
    etf_index_tracking: tuple[tuple[str, str], ...] = ()
    source_file: Path | None = field(default=None, compare=False)

    @property
    def symbols(self) -> list[str]:
        """Every instrument symbol, in file order."""
        return list(self.instruments)

    def members(self, universe: str) -> list[str]:
        """Members of a named universe (KeyError with the known names otherwise)."""
        try:
            return list(self.universes[universe].members)
        except KeyError:
            raise KeyError(
                f"unknown universe {universe!r}; known: {', '.join(self.universes)}"
            ) from None

    def instruments_frame(self) -> pl.DataFrame:
        """Instruments as a frame matching ``raw.instruments``."""
        return pl.DataFrame(
            [
                {
                    "ticker": i.symbol,
                    "name": i.name,
                    "kind": i.kind,
                    "sector": i.sector,
                    "size_class": i.size_class,
                    "price_decimals": i.price_decimals,
                }
                for i in self.instruments.values()
            ],
            schema={
                "ticker": pl.String,
                "name": pl.String,
                "kind": pl.String,
                "sector": pl.String,
                "size_class": pl.String,
                "price_decimals": pl.Int32,
            },
        )

    def universe_members_frame(self) -> pl.DataFrame:
        """Universe membership as a frame matching ``raw.universe_members``."""
        rows = [
            {
                "universe": u.name,
                "ticker": m,
                "member_order": k,
                "active_from": u.active_from,
                "active_to": u.active_to,
            }
            for u in self.universes.values()
            for k, m in enumerate(u.members)
        ]
        return pl.DataFrame(
            rows,
            schema={
                "universe": pl.String,
                "ticker": pl.String,
                "member_order": pl.Int32,
                "active_from": pl.Date,
                "active_to": pl.Date,
            },
        )


class _UniverseEntry(BaseModel):
    """One entry of ``universes:`` in the file (its name is the mapping key)."""

    members: list[str]
    description: Annotated[str, BeforeValidator(lambda v: v or "")] = ""
    breadth: bool = False
    active_from: date | None = None
    active_to: date | None = None


class _RelativePair(BaseModel):
    ticker: str
    benchmark: str


class _TrackingPair(BaseModel):
    etf: str
    index: str


def _or_empty(value: Any) -> Any:
    return [] if value is None else value


class _UniverseFile(BaseModel):
    """The document in ``config/universe.yaml``; :meth:`_cross_references` checks that every
    name it uses is defined once."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    instruments: Annotated[list[Instrument], BeforeValidator(_or_empty)]
    universes: Annotated[dict[str, _UniverseEntry], BeforeValidator(lambda v: v or {})] = {}
    relative_pairs: Annotated[list[_RelativePair], BeforeValidator(_or_empty)] = []
    etf_index_tracking: Annotated[list[_TrackingPair], BeforeValidator(_or_empty)] = []

    @pydantic.model_validator(mode="after")
    def _cross_references(self) -> _UniverseFile:
        if not self.instruments:
            raise ValueError("universe file lists no instruments")
        known: set[str] = set()
        for n, i in enumerate(self.instruments):
            if i.symbol in known:
                raise ValueError(f"instruments[{n}] ({i.symbol}): listed twice")
            known.add(i.symbol)
        for name, spec in self.universes.items():
            unknown = [m for m in spec.members if m not in known]
            if unknown:
                raise ValueError(
                    f"universes.{name}.members: not in instruments: {', '.join(map(repr, unknown))}"
                )
            if len(set(spec.members)) != len(spec.members):
                raise ValueError(f"universes.{name}.members: a member is listed twice")
        pairs = {
            "relative_pairs": [(p.ticker, p.benchmark) for p in self.relative_pairs],
            "etf_index_tracking": [(p.etf, p.index) for p in self.etf_index_tracking],
        }
        for key, listed in pairs.items():
            for n, (a, b) in enumerate(listed):
                for s in (a, b):
                    if s not in known:
                        raise ValueError(f"{key}[{n}]: {s!r} is not an instrument")
                if a == b:
                    raise ValueError(f"{key}[{n}]: {a!r} is paired with itself")
        return self


def _where(loc: tuple[int | str, ...], doc: Any) -> str:
    """A pydantic error location as the file's position, e.g. ``instruments[3] (SPY).kind``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    if len(loc) >= 2 and loc[0] == "instruments" and isinstance(loc[1], int):
        try:
            symbol = doc["instruments"][loc[1]]["symbol"]
        except (KeyError, IndexError, TypeError):
            symbol = None
        if isinstance(symbol, str) and len(loc) > 2 and loc[2] != "symbol":
            head = f"instruments[{loc[1]}]"
            text = f"{head} ({symbol}){text[len(head) :]}"
    return text or "universe file"


def parse_universe(doc: Any, source_file: Path | None = None) -> UniverseConfig:
    """Validate a parsed universe document and build a :class:`UniverseConfig`; a bad entry
    is a :class:`UniverseConfigError` naming its position and field."""
    try:
        parsed = _UniverseFile.model_validate(doc)
    except pydantic.ValidationError as exc:
        error = exc.errors()[0]
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] not in ("value_error", "missing"):
            message += f", got {error['input']!r}"
        where = _where(tuple(error["loc"]), doc)
        text = (
            message
            if not error["loc"] and error["type"] == "value_error"
            else f"{where}: {message}"
        )
        raise UniverseConfigError(text) from None
    return UniverseConfig(
        instruments={i.symbol: i for i in parsed.instruments},
        universes={
            name: Universe(
                name=name,
                members=tuple(spec.members),
                description=spec.description,
                breadth=spec.breadth,
                active_from=spec.active_from,
                active_to=spec.active_to,
            )
            for name, spec in parsed.universes.items()
        },
        relative_pairs=tuple((p.ticker, p.benchmark) for p in parsed.relative_pairs),
        etf_index_tracking=tuple((p.etf, p.index) for p in parsed.etf_index_tracking),
        source_file=source_file,
    )


def load_universe(path: Path | str = UNIVERSE_FILE) -> UniverseConfig:
    """Read and validate a universe file."""
    path = Path(path)
    with path.open() as fh:
        doc = yaml.safe_load(fh)
    return parse_universe(doc, source_file=path)


@cache
def default_universe() -> UniverseConfig:
    """The project's ``config/universe.yaml``, loaded once per process."""
    return load_universe(UNIVERSE_FILE)
