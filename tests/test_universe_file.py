"""A bad ``config/universe.yaml`` entry is refused with its position and field named."""

from __future__ import annotations

import pytest

from bellwether.universe import UniverseConfigError, default_universe, parse_universe

SPY = {"symbol": "SPY", "kind": "etf"}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("instruments: SPY", r"^universe file: Input should be a valid dictionary"),
        ({"instruments": []}, r"^universe file lists no instruments$"),
        ({"instruments": [SPY, {"kind": "etf"}]}, r"^instruments\[1\]\.symbol: Field required"),
        ({"instruments": [SPY, "QQQ"]}, r"^instruments\[1\]: Input should be a dictionary"),
        (
            {"instruments": [{**SPY, "kind": "bond"}]},
            r"^instruments\[0\] \(SPY\)\.kind: .*'index', 'etf' or 'stock', got 'bond'$",
        ),
        (
            {"instruments": [{**SPY, "size_class": "mid"}]},
            r"^instruments\[0\] \(SPY\)\.size_class: .*got 'mid'$",
        ),
        (
            {"instruments": [{**SPY, "price_decimals": 9}]},
            r"^instruments\[0\] \(SPY\)\.price_decimals: .*less than or equal to 8, got 9$",
        ),
        (
            {"instruments": [{**SPY, "price_decimals": "2"}]},
            r"^instruments\[0\] \(SPY\)\.price_decimals: Input should be a valid integer",
        ),
        (
            {"instruments": [{**SPY, "name": 5}]},
            r"^instruments\[0\] \(SPY\)\.name: Input should be a valid string, got 5$",
        ),
        (
            {"instruments": [{**SPY, "aliases": ["ok", " "]}]},
            r"^instruments\[0\] \(SPY\)\.aliases\[1\]: String should have at least 1 character",
        ),
        ({"instruments": [SPY, SPY]}, r"^instruments\[1\] \(SPY\): listed twice$"),
        (
            {"instruments": [SPY], "universes": {"u": {"members": ["QQQ"]}}},
            r"^universes\.u\.members: not in instruments: 'QQQ'$",
        ),
        (
            {"instruments": [SPY], "universes": {"u": {"members": ["SPY", "SPY"]}}},
            r"^universes\.u\.members: a member is listed twice$",
        ),
        (
            {"instruments": [SPY], "universes": {"u": {"members": "SPY"}}},
            r"^universes\.u\.members: Input should be a valid list",
        ),
        (
            {
                "instruments": [SPY],
                "universes": {"u": {"members": ["SPY"], "active_to": "2025-13-01"}},
            },
            r"^universes\.u\.active_to: .*got '2025-13-01'$",
        ),
        (
            {"instruments": [SPY], "relative_pairs": [{"ticker": "SPY", "benchmark": "QQQ"}]},
            r"^relative_pairs\[0\]: 'QQQ' is not an instrument$",
        ),
        (
            {"instruments": [SPY], "etf_index_tracking": [{"etf": "SPY", "index": "SPY"}]},
            r"^etf_index_tracking\[0\]: 'SPY' is paired with itself$",
        ),
        (
            {"instruments": [SPY], "etf_index_tracking": [{"etf": "SPY"}]},
            r"^etf_index_tracking\[0\]\.index: Field required",
        ),
    ],
)
def test_a_bad_entry_is_named_by_position_and_field(doc, message):
    with pytest.raises(UniverseConfigError, match=message):
        parse_universe(doc)


def test_optional_fields_take_their_defaults_and_the_project_file_loads():
    config = parse_universe(
        {"instruments": [SPY], "universes": {"u": {"members": ["SPY"], "description": None}}}
    )
    (spy,) = config.instruments.values()
    assert (spy.name, spy.sector, spy.size_class, spy.price_decimals, spy.aliases) == (
        None, None, None, 4, (),
    )  # fmt: skip
    assert config.universes["u"].description == "" and not config.universes["u"].breadth
    project = default_universe()
    assert project.instruments["^GSPC"].price_decimals == 2
    assert "SPX" in project.instruments["^GSPC"].aliases
    assert project.universes["sp500_sample"].breadth
