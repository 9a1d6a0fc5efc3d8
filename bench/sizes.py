"""Benchmark sizes: which source, universe and session range a size means.

A size is ``sample`` (the bundled real data over its whole span), ``tiny`` (20 synthetic
stocks x 1 year), ``<N>x<Y>y`` (N synthetic stocks plus the 19 synthetic indices and ETFs,
over the Y calendar years ending on :data:`LAST_DAY`), e.g. ``500x10y`` or ``3000x25y``, or
``<N>x<K>s`` (the last K sessions up to :data:`LAST_DAY`, e.g. ``20x5s`` for the smoke
test). Presets: ``all`` (the issue's three sizes), ``small`` (``tiny,sample``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date

from bellwether.calendar import sessions_between

#: Last calendar day of every synthetic size (the daily-run case lands the next session).
LAST_DAY = date(2025, 12, 31)
SAMPLE_FIRST, SAMPLE_LAST = date(2024, 1, 2), date(2026, 6, 29)

PRESETS: dict[str, tuple[str, ...]] = {
    "all": ("sample", "500x10y", "3000x25y"),
    "small": ("tiny", "sample"),
}
_SYNTHETIC = re.compile(r"^(?P<n>\d+)x(?P<k>\d+)(?P<unit>[ys])$")


@dataclass(frozen=True)
class Size:
    """One benchmark size."""

    name: str
    source: str  # 'bundled' or 'synthetic'
    n_symbols: int  # synthetic stocks (0 for the bundled sample)
    years: int
    first: date
    last: date

    def to_dict(self) -> dict:
        d = asdict(self)
        d["first"], d["last"] = self.first.isoformat(), self.last.isoformat()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Size:
        return cls(
            d["name"], d["source"], int(d["n_symbols"]), int(d["years"]),
            date.fromisoformat(d["first"]), date.fromisoformat(d["last"]),
        )  # fmt: skip


def synthetic_size(n_symbols: int, years: int, last: date = LAST_DAY) -> Size:
    """``n_symbols`` synthetic stocks over the ``years`` calendar years ending on ``last``."""
    return Size(
        f"{n_symbols}x{years}y", "synthetic", n_symbols, years,
        date(last.year - years + 1, 1, 1), last,
    )  # fmt: skip


def parse_size(name: str) -> Size:
    """A size from its name (see module doc)."""
    name = name.strip()
    if name == "sample":
        return Size("sample", "bundled", 0, 3, SAMPLE_FIRST, SAMPLE_LAST)
    if name == "tiny":
        return Size("tiny", "synthetic", 20, 1, date(LAST_DAY.year, 1, 1), LAST_DAY)
    m = _SYNTHETIC.match(name)
    if not m or int(m["n"]) < 1 or int(m["k"]) < 1:
        raise ValueError(
            f"unknown benchmark size {name!r}: use sample, tiny, <N>x<Y>y (e.g. 500x10y), "
            f"<N>x<K>s (K sessions) or a preset ({', '.join(PRESETS)})"
        )
    if m["unit"] == "y":
        return synthetic_size(int(m["n"]), int(m["k"]))
    sessions = sessions_between(date(LAST_DAY.year - 1 - int(m["k"]) // 200, 1, 1), LAST_DAY)
    first = sessions[-int(m["k"]) :][0]
    return Size(name, "synthetic", int(m["n"]), 0, first, LAST_DAY)


def parse_sizes(spec: str) -> list[Size]:
    """Sizes from a comma-separated list of names and presets, in order, without repeats."""
    names: list[str] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        for name in PRESETS.get(part, (part,)):
            if name not in names:
                names.append(name)
    if not names:
        raise ValueError("no benchmark size given")
    return [parse_size(n) for n in names]
