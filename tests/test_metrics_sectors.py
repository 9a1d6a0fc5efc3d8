"""marts.sector_performance definitions on hand-computed frames (bellwether.metrics.sectors)."""

from __future__ import annotations

from datetime import date

import polars as pl

from bellwether.metrics.sectors import OUTPUT_COLUMNS, sector_performance

D1, D2 = date(2025, 6, 2), date(2025, 6, 3)
SECTORS = pl.DataFrame(
    {
        "ticker": ["XLK", "XLE", "XLF", "XLU"],
        "sector": ["Information Technology", "Energy", "Financials", "Utilities"],
    }
)


def returns(day: date, rets: dict[str, float | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ticker": list(rets),
            "session_date": [day] * len(rets),
            "ret_1d": list(rets.values()),
            "ret_ytd": [0.1 * i for i in range(len(rets))],
        },
        schema_overrides={"ret_1d": pl.Float64, "ret_ytd": pl.Float64},
    )


def ranks(out: pl.DataFrame, day: date = D1) -> dict[str, int | None]:
    return dict(out.filter(pl.col("session_date") == day).select("ticker", "rank_1d").iter_rows())


def test_rank_1_is_the_best_daily_return():
    out = sector_performance(returns(D1, {"XLK": 0.02, "XLE": -0.01, "XLF": 0.005}), SECTORS)
    assert out.columns == list(OUTPUT_COLUMNS)
    assert ranks(out) == {"XLK": 1, "XLF": 2, "XLE": 3}
    assert out["sector_count"].to_list() == [3, 3, 3]
    assert out["sector"].to_list() == ["Information Technology", "Financials", "Energy"]


def test_tied_returns_share_the_better_rank_and_the_next_rank_is_skipped():
    out = sector_performance(
        returns(D1, {"XLK": 0.01, "XLE": 0.02, "XLF": 0.01, "XLU": -0.03}), SECTORS
    )
    assert ranks(out) == {"XLE": 1, "XLK": 2, "XLF": 2, "XLU": 4}


def test_a_sector_without_a_return_is_unranked_and_not_counted():
    out = sector_performance(returns(D1, {"XLK": None, "XLE": 0.01, "XLF": 0.02}), SECTORS)
    assert ranks(out) == {"XLF": 1, "XLE": 2, "XLK": None}
    assert out["sector_count"].to_list() == [2, 2, 2]
    assert out["ticker"].to_list()[-1] == "XLK"  # unranked rows come last


def test_only_sector_etfs_are_ranked_and_each_session_on_its_own():
    rets = pl.concat(
        [
            returns(D1, {"XLK": 0.01, "SPY": 0.05, "XLE": 0.02}),
            returns(D2, {"XLK": 0.03, "SPY": -0.05, "XLE": 0.02}),
        ]
    )
    out = sector_performance(rets, SECTORS)
    assert "SPY" not in out["ticker"].to_list()
    assert ranks(out, D1) == {"XLE": 1, "XLK": 2}
    assert ranks(out, D2) == {"XLK": 1, "XLE": 2}


def test_ret_1d_and_ret_ytd_are_passed_through():
    out = sector_performance(returns(D1, {"XLK": 0.01, "XLE": 0.02}), SECTORS)
    assert out.select("ticker", "ret_1d", "ret_ytd").rows() == [
        ("XLE", 0.02, 0.1),
        ("XLK", 0.01, 0.0),
    ]
