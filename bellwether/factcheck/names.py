"""Instrument, index and sector names resolved through the universe config.

Every name comes from ``config/universe.yaml``: the symbol, the ``name``, the optional
``aliases`` and, for a sector ETF, its ``sector``. Names the warehouse does not hold come
from :data:`bellwether.factcheck.rules.UNHELD`. Matching is case-insensitive for names and
case-sensitive for bare stock tickers (so "ALL" is Allstate but "all" is a word); the
longest name wins ("Nasdaq 100" is not the Nasdaq Composite).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bellwether.factcheck import rules
from bellwether.universe import UniverseConfig


@dataclass(frozen=True)
class Mention:
    """A name found in the text: ``ticker`` (held) or ``unheld`` (a symbol we do not hold)."""

    start: int
    end: int
    text: str
    ticker: str | None = None
    unheld: str | None = None
    sector: str | None = None  # the sector, when the name is a sector (not the ETF symbol)


@dataclass(frozen=True)
class NameIndex:
    universe: UniverseConfig
    names: dict[str, str]  # lower-cased name -> ticker
    sector_names: frozenset[str]  # lower-cased names that denote a sector
    unheld: dict[str, str]  # lower-cased name -> symbol
    tickers: frozenset[str]  # case-sensitive bare symbols
    pattern: re.Pattern
    ticker_pattern: re.Pattern

    def find(self, text: str) -> list[Mention]:
        """Every name in ``text``, left to right, without overlaps (longest first)."""
        found: list[Mention] = []
        taken: list[tuple[int, int]] = []
        for m in self.pattern.finditer(text):
            key = _norm(m.group(0))
            if key in self.unheld:
                found.append(Mention(m.start(), m.end(), m.group(0), unheld=self.unheld[key]))
            else:
                ticker = self.names[key]
                sector = (
                    self.universe.instruments[ticker].sector if key in self.sector_names else None
                )
                found.append(Mention(m.start(), m.end(), m.group(0), ticker=ticker, sector=sector))
            taken.append((m.start(), m.end()))
        for m in self.ticker_pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            sym = m.group("sym")
            if len(sym) == 1 and not (
                m.group(0).startswith("$") or text[m.start() - 1 : m.start()] == "("
            ):
                continue  # "A record close" is an article, "(A)" or "$A" is Agilent
            if sym in self.tickers:
                found.append(Mention(m.start(), m.end(), m.group(0), ticker=sym))
            elif sym not in rules.NOT_TICKERS and len(sym) >= 2 and "." not in sym:
                found.append(Mention(m.start(), m.end(), m.group(0), unheld=sym))
            taken.append((m.start(), m.end()))
        return sorted(found, key=lambda x: x.start)


def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower().replace("\u2019", "'"))


def _alternation(names) -> str:
    parts = []
    for n in sorted(set(names), key=len, reverse=True):
        body = r"\s+".join(re.escape(w) for w in n.split())
        left = r"(?<![\w^&])" if n[0].isalnum() else r"(?<!\w)"
        right = r"(?![\w&])" if n[-1].isalnum() else ""
        parts.append(left + body + right)
    return "|".join(parts)


def build_index(universe: UniverseConfig) -> NameIndex:
    names: dict[str, str] = {}
    sector_names: set[str] = set()
    tickers: set[str] = set()
    for inst in universe.instruments.values():
        spelled = [*inst.aliases]
        if inst.name:
            spelled.append(inst.name)
        if inst.kind == "etf" and inst.sector:
            spelled.append(inst.sector)
            sector_names.update(_norm(a) for a in [inst.sector, *inst.aliases])
        if inst.kind == "index":
            spelled.append(inst.symbol)  # "^GSPC" as written
        else:
            tickers.add(inst.symbol)
        for s in spelled:
            names.setdefault(_norm(s), inst.symbol)
    unheld = {_norm(k): v for k, v in rules.UNHELD.items() if _norm(k) not in names}
    pattern = re.compile(_alternation(list(names) + list(unheld)), re.I)
    ticker_pattern = re.compile(r"(?<![\w^$&])\$?(?P<sym>[A-Z][A-Z.\-]{0,5}[A-Z]|[A-Z])(?![\w&])")
    return NameIndex(
        universe,
        names,
        frozenset(sector_names),
        unheld,
        frozenset(tickers),
        pattern,
        ticker_pattern,
    )


@cache
def _cached(universe: UniverseConfig) -> NameIndex:
    return build_index(universe)


def name_index(universe: UniverseConfig) -> NameIndex:
    try:
        return _cached(universe)
    except TypeError:  # an unhashable config: build it each time
        return build_index(universe)


def benchmark_pair(universe: UniverseConfig, a: str, b: str) -> tuple[str, str, bool] | None:
    """The configured relative pair of ``a`` and ``b``: (ticker, benchmark, reversed)."""
    for t, bm in universe.relative_pairs:
        if (t, bm) == (a, b):
            return t, bm, False
        if (t, bm) == (b, a):
            return t, bm, True
    # an index and an ETF tracking it count as the same side ("IWM beat the S&P 500")
    track = {etf: idx for etf, idx in universe.etf_index_tracking}
    track |= {idx: etf for etf, idx in universe.etf_index_tracking}
    for x, y in ((a, track.get(b, b)), (track.get(a, a), b), (track.get(a, a), track.get(b, b))):
        for t, bm in universe.relative_pairs:
            if (t, bm) == (x, y):
                return t, bm, False
            if (t, bm) == (y, x):
                return t, bm, True
    return None
