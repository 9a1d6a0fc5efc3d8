"""Strict validation of instrument symbols.

A symbol is checked against :data:`SYMBOL_PATTERN` before it reaches any SQL statement,
file path or URL. The pattern admits Yahoo's forms that this project uses: an optional
``^`` for indices, 1-10 upper-case letters or digits, and at most one class/market suffix
joined by ``-``, ``.`` or ``=`` (``BRK-B``, ``BF-B``, ``0700.HK``, ``ES=F``). Anything else
(lower case, spaces, quotes, semicolons, slashes, ``..``) is rejected with an error naming
the symbol.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SYMBOL_PATTERN = re.compile(r"^\^?[A-Z0-9]{1,10}(?:[-.=][A-Z0-9]{1,5})?$")


class InvalidSymbolError(ValueError):
    """A symbol that does not match :data:`SYMBOL_PATTERN`."""


def validate_symbol(symbol: object) -> str:
    """Return ``symbol`` unchanged if it is a valid symbol, else raise InvalidSymbolError."""
    if not isinstance(symbol, str) or not SYMBOL_PATTERN.fullmatch(symbol):
        raise InvalidSymbolError(
            f"invalid symbol {symbol!r}: symbols must match {SYMBOL_PATTERN.pattern} "
            "(upper-case Yahoo symbols such as ^GSPC, SPY or BRK-B)"
        )
    return symbol


def validate_symbols(symbols: Iterable[object]) -> list[str]:
    """Validate every symbol; the error names all invalid ones at once.

    Returns the symbols in their given order with duplicates removed.
    """
    seen: dict[str, None] = {}
    bad: list[str] = []
    for s in symbols:
        if isinstance(s, str) and SYMBOL_PATTERN.fullmatch(s):
            seen.setdefault(s, None)
        else:
            bad.append(repr(s))
    if bad:
        raise InvalidSymbolError(
            f"invalid symbol(s) {', '.join(bad)}: symbols must match {SYMBOL_PATTERN.pattern}"
        )
    return list(seen)
