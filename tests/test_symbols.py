import pytest

from bellwether.symbols import InvalidSymbolError, validate_symbol, validate_symbols


@pytest.mark.parametrize(
    "symbol", ["^GSPC", "SPY", "BRK-B", "BF-B", "XLRE", "0700.HK", "ES=F", "A"]
)
def test_yahoo_symbols_are_accepted(symbol):
    assert validate_symbol(symbol) == symbol


@pytest.mark.parametrize(
    "symbol",
    [
        "IWM'; DROP TABLE raw.daily_bars; --",
        "../../etc/passwd",
        "spy",
        "SP Y",
        "",
        "^^GSPC",
        "A" * 11,
        "BRK-B-C",
        "SPY\n",
        None,
        42,
    ],
)
def test_hostile_or_malformed_symbols_are_rejected_by_name(symbol):
    with pytest.raises(InvalidSymbolError) as exc:
        validate_symbol(symbol)
    assert repr(symbol) in str(exc.value)


def test_validate_symbols_names_every_bad_symbol_and_dedupes():
    assert validate_symbols(["SPY", "QQQ", "SPY"]) == ["SPY", "QQQ"]
    with pytest.raises(InvalidSymbolError) as exc:
        validate_symbols(["SPY", "bad one", "x;y"])
    assert "'bad one'" in str(exc.value) and "'x;y'" in str(exc.value)
