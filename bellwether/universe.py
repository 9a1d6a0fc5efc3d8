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

import polars as pl
import yaml

from bellwether.settings import UNIVERSE_FILE
from bellwether.symbols import validate_symbol

KINDS = ("index", "etf", "stock")
SIZE_CLASSES = ("large_cap", "small_cap", "all_cap")
DEFAULT_PRICE_DECIMALS = 4


class UniverseConfigError(ValueError):
    """The universe file is malformed; the message names the entry."""


@dataclass(frozen=True)
class Instrument:
    """One tradable or index symbol."""

    symbol: str
    kind: str
    name: str | None = None
    sector: str | None = None
    size_class: str | None = None
    price_decimals: int = DEFAULT_PRICE_DECIMALS
    #: Other names the instrument goes by in prose ("small caps", "SPX"); optional.
    aliases: tuple[str, ...] = ()


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


def _opt_str(entry: dict, key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is not None and not isinstance(value, str):
        raise UniverseConfigError(f"{where}: {key} must be a string, got {value!r}")
    return value


def parse_universe(doc: dict, source_file: Path | None = None) -> UniverseConfig:
    """Validate a parsed universe document and build a :class:`UniverseConfig`."""
    if not isinstance(doc, dict):
        raise UniverseConfigError("universe file must be a mapping at the top level")
    instruments: dict[str, Instrument] = {}
    for n, entry in enumerate(doc.get("instruments") or []):
        where = f"instruments[{n}]"
        if not isinstance(entry, dict) or "symbol" not in entry:
            raise UniverseConfigError(f"{where}: needs a symbol")
        try:
            symbol = validate_symbol(entry["symbol"])
        except ValueError as exc:
            raise UniverseConfigError(f"{where}: {exc}") from None
        where = f"instrument {symbol}"
        if symbol in instruments:
            raise UniverseConfigError(f"{where}: listed twice")
        kind = entry.get("kind")
        if kind not in KINDS:
            raise UniverseConfigError(f"{where}: kind must be one of {KINDS}, got {kind!r}")
        size_class = _opt_str(entry, "size_class", where)
        if size_class is not None and size_class not in SIZE_CLASSES:
            raise UniverseConfigError(
                f"{where}: size_class must be one of {SIZE_CLASSES}, got {size_class!r}"
            )
        decimals = entry.get("price_decimals", DEFAULT_PRICE_DECIMALS)
        if not isinstance(decimals, int) or not 0 <= decimals <= 8:
            raise UniverseConfigError(f"{where}: price_decimals must be an integer 0-8")
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list) or not all(
            isinstance(a, str) and a.strip() for a in aliases
        ):
            raise UniverseConfigError(f"{where}: aliases must be a list of non-empty strings")
        instruments[symbol] = Instrument(
            symbol=symbol,
            kind=kind,
            name=_opt_str(entry, "name", where),
            sector=_opt_str(entry, "sector", where),
            size_class=size_class,
            price_decimals=decimals,
            aliases=tuple(a.strip() for a in aliases),
        )
    if not instruments:
        raise UniverseConfigError("universe file lists no instruments")

    universes: dict[str, Universe] = {}
    for name, spec in (doc.get("universes") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("members"), list):
            raise UniverseConfigError(f"universe {name!r}: needs a members list")
        members = tuple(spec["members"])
        unknown = [m for m in members if m not in instruments]
        if unknown:
            raise UniverseConfigError(
                f"universe {name!r}: members not in instruments: {', '.join(map(repr, unknown))}"
            )
        if len(set(members)) != len(members):
            raise UniverseConfigError(f"universe {name!r}: a member is listed twice")
        bounds = {}
        for key in ("active_from", "active_to"):
            value = spec.get(key)
            if value is not None and not isinstance(value, date):
                try:
                    value = date.fromisoformat(str(value))
                except ValueError:
                    raise UniverseConfigError(
                        f"universe {name!r}: {key} must be a date, got {value!r}"
                    ) from None
            bounds[key] = value
        universes[name] = Universe(
            name=name,
            members=members,
            description=str(spec.get("description") or ""),
            breadth=bool(spec.get("breadth", False)),
            **bounds,
        )

    def pairs(key: str, left: str, right: str) -> tuple[tuple[str, str], ...]:
        out = []
        for n, entry in enumerate(doc.get(key) or []):
            a, b = entry.get(left), entry.get(right)
            for s in (a, b):
                if s not in instruments:
                    raise UniverseConfigError(f"{key}[{n}]: {s!r} is not an instrument")
            if a == b:
                raise UniverseConfigError(f"{key}[{n}]: {a!r} is paired with itself")
            out.append((a, b))
        return tuple(out)

    return UniverseConfig(
        instruments=instruments,
        universes=universes,
        relative_pairs=pairs("relative_pairs", "ticker", "benchmark"),
        etf_index_tracking=pairs("etf_index_tracking", "etf", "index"),
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
