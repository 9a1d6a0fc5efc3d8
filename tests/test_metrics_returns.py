"""marts.daily_returns definitions on hand-computed frames (bellwether.metrics.returns)."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest

from bellwether.calendar import sessions_between
from bellwether.metrics.panel import session_panel
from bellwether.metrics.returns import daily_returns
from bellwether.settings import SAMPLE_DIR

JUNE = sessions_between(date(2025, 6, 2), date(2025, 7, 31))


def bars(closes: list[float | None], sessions=JUNE, ticker="AAA", adj=None) -> pl.DataFrame:
    """One bar per session with these closes; ``None`` means no bar that session."""
    adj = adj or closes
    rows = [
        (ticker, d, c, a) for d, c, a in zip(sessions, closes, adj, strict=False) if c is not None
    ]
    return pl.DataFrame(
        rows,
        schema={
            "ticker": pl.String,
            "session_date": pl.Date,
            "close": pl.Float64,
            "adj_close": pl.Float64,
        },
        orient="row",
    )


def on(frame: pl.DataFrame, day: date, ticker: str = "AAA") -> dict:
    rows = frame.filter((pl.col("ticker") == ticker) & (pl.col("session_date") == day)).to_dicts()
    assert len(rows) == 1, (ticker, day, rows)
    return rows[0]


def test_ret_1d_is_close_over_the_previous_sessions_close_minus_one():
    out = daily_returns(bars([100.0, 102.0, 99.96]))
    assert out["ret_1d"].to_list()[1:] == pytest.approx([0.02, -0.02])
    assert out["log_ret_1d"].to_list()[1:] == pytest.approx([math.log(1.02), math.log(0.98)])


def test_the_first_session_of_history_has_every_return_null():
    out = daily_returns(bars([100.0, 101.0]))
    first = out.row(0, named=True)
    for col in ("ret_1d", "log_ret_1d", "ret_5d", "ret_21d", "ret_mtd", "ret_ytd", "ret_52w"):
        assert first[col] is None, col
    assert first["tr_1d"] is None and first["tr_ytd"] is None


def test_one_row_per_bar_with_close_and_adj_close_passed_through():
    out = daily_returns(bars([10.0, None, 11.0], adj=[9.0, None, 10.0]))
    assert out.columns == [
        "ticker", "session_date", "close", "ret_1d", "log_ret_1d", "ret_5d", "ret_21d",
        "ret_mtd", "ret_ytd", "ret_52w", "adj_close", "tr_1d", "tr_ytd",
    ]  # fmt: skip
    assert out["session_date"].to_list() == [JUNE[0], JUNE[2]]
    assert out["adj_close"].to_list() == [9.0, 10.0]


def test_returns_over_a_missing_bar_are_null_not_stretched():
    # no bar on JUNE[2]: the next session has no previous close, and a 5-session return
    # whose base is the missing session is null; one whose base is present is not
    closes = [100.0, 101.0, None, 103.0, 104.0, 105.0, 106.0, 107.0]
    out = daily_returns(bars(closes))
    assert on(out, JUNE[3])["ret_1d"] is None
    assert on(out, JUNE[3])["log_ret_1d"] is None
    assert on(out, JUNE[4])["ret_1d"] == pytest.approx(104 / 103 - 1)
    assert on(out, JUNE[5])["ret_5d"] == pytest.approx(105 / 100 - 1)  # base JUNE[0]
    assert on(out, JUNE[6])["ret_5d"] == pytest.approx(106 / 101 - 1)  # base JUNE[1]
    assert on(out, JUNE[7])["ret_5d"] is None  # base JUNE[2] is missing


def test_a_holiday_is_not_a_session_so_good_friday_is_no_gap():
    # 2025-04-18 (Good Friday) is no session: 04-17 and 04-21 are one session apart
    week = sessions_between(date(2025, 4, 14), date(2025, 4, 23))
    out = daily_returns(bars([100.0, 101.0, 102.0, 104.0, 103.0, 105.0, 106.0], sessions=week))
    assert on(out, date(2025, 4, 21))["ret_1d"] == pytest.approx(103 / 104 - 1)
    # 5 sessions before 04-23 is 04-15 (counting 04-22, 04-21, 04-17, 04-16, 04-15)
    assert on(out, date(2025, 4, 23))["ret_5d"] == pytest.approx(106 / 101 - 1)


def test_a_bar_on_a_date_that_is_not_a_session_is_an_error():
    weekend = bars([100.0], sessions=[date(2025, 6, 7)])
    with pytest.raises(ValueError, match="non-session"):
        session_panel(weekend)


def test_ret_21d_and_ret_52w_count_21_and_252_sessions():
    sessions = sessions_between(date(2024, 6, 3), date(2025, 8, 29))
    closes = [100.0 + i for i in range(254)]
    out = daily_returns(bars(closes, sessions=sessions))
    assert out["ret_21d"].to_list()[20] is None
    assert out["ret_21d"].to_list()[21] == pytest.approx(121 / 100 - 1)
    assert out["ret_52w"].to_list()[251] is None
    assert out["ret_52w"].to_list()[252] == pytest.approx(352 / 100 - 1)
    assert out["ret_52w"].to_list()[253] == pytest.approx(353 / 101 - 1)


def test_ret_mtd_is_measured_from_the_last_close_before_the_months_first_session():
    days = sessions_between(date(2025, 5, 28), date(2025, 6, 4))  # 05-28 .. 05-30, 06-02 ..
    out = daily_returns(bars([50.0, 51.0, 52.0, 53.0, 54.0, 55.0], sessions=days))
    # history starts inside May: no base for May
    assert on(out, date(2025, 5, 30))["ret_mtd"] is None
    assert on(out, date(2025, 6, 2))["ret_mtd"] == pytest.approx(53 / 52 - 1)
    assert on(out, date(2025, 6, 4))["ret_mtd"] == pytest.approx(55 / 52 - 1)


def test_ret_ytd_is_measured_from_the_previous_years_last_close():
    days = sessions_between(date(2024, 12, 27), date(2025, 1, 6))  # 12-27 12-30 12-31 01-02 ...
    out = daily_returns(bars([90.0, 95.0, 100.0, 101.0, 103.0, 98.0], sessions=days))
    assert on(out, date(2024, 12, 31))["ret_ytd"] is None  # history starts inside 2024
    assert on(out, date(2025, 1, 2))["ret_ytd"] == pytest.approx(0.01)
    assert on(out, date(2025, 1, 3))["ret_ytd"] == pytest.approx(0.03)
    assert on(out, date(2025, 1, 6))["ret_ytd"] == pytest.approx(-0.02)
    assert on(out, date(2025, 1, 6))["ret_mtd"] == pytest.approx(-0.02)


def test_ret_ytd_base_is_the_last_stored_close_when_the_year_end_bar_is_missing():
    days = sessions_between(date(2024, 12, 27), date(2025, 1, 3))
    out = daily_returns(bars([90.0, 95.0, None, 101.0, 103.0], sessions=days))
    assert on(out, date(2025, 1, 2))["ret_1d"] is None
    assert on(out, date(2025, 1, 2))["ret_ytd"] == pytest.approx(101 / 95 - 1)
    assert on(out, date(2025, 1, 3))["ret_ytd"] == pytest.approx(103 / 95 - 1)


def test_total_returns_use_adj_close_so_the_difference_is_the_dividend():
    days = sessions_between(date(2024, 12, 30), date(2025, 1, 3))
    # a 1.00 dividend goes ex on 01-02: the price drops by it, adj_close does not
    out = daily_returns(
        bars([100.0, 100.0, 99.5, 99.5], sessions=days, adj=[98.0, 98.0, 98.49, 98.49])
    )
    jan2 = on(out, date(2025, 1, 2))
    assert jan2["ret_1d"] == pytest.approx(-0.005)
    assert jan2["tr_1d"] == pytest.approx(98.49 / 98 - 1)
    assert jan2["tr_ytd"] == pytest.approx(98.49 / 98 - 1)
    assert jan2["tr_ytd"] - jan2["ret_ytd"] == pytest.approx(0.01, abs=1e-4)


def test_tickers_do_not_see_each_others_closes():
    out = daily_returns(
        pl.concat([bars([100.0, 110.0], ticker="A"), bars([50.0, 45.0], ticker="B")])
    )
    assert on(out, JUNE[1], "A")["ret_1d"] == pytest.approx(0.10)
    assert on(out, JUNE[1], "B")["ret_1d"] == pytest.approx(-0.10)


@pytest.fixture(scope="module")
def split_etfs() -> pl.DataFrame:
    """The bundled sector ETFs that split 2:1 on 2025-12-05, as delivered."""
    sample = pl.read_csv(SAMPLE_DIR / "market_sample.csv", try_parse_dates=True)
    return sample.filter(
        pl.col("ticker").is_in(["XLB", "XLE", "XLK", "XLU"])
        & pl.col("date").is_between(date(2025, 11, 3), date(2025, 12, 31))
    ).rename({"date": "session_date"})


def test_bundled_xlk_split_day_is_an_ordinary_move_because_ohlc_is_split_adjusted(split_etfs):
    out = daily_returns(split_etfs)
    xlk = on(out, date(2025, 12, 5), "XLK")
    # the bundled closes: 145.535 on 12-04 and 146.6 on 12-05 (both on the post-split basis)
    assert xlk["ret_1d"] == pytest.approx(146.6 / 145.535 - 1)
    assert abs(xlk["ret_1d"]) < 0.02
    for ticker in ("XLB", "XLE", "XLU"):
        assert abs(on(out, date(2025, 12, 5), ticker)["ret_1d"]) < 0.05, ticker


def test_a_seed_is_the_period_base_where_no_earlier_bar_is_given():
    """The bars start on 2025-06-02 (a gap before them); the seed says AAA's last stored bar
    before them closed at 80 (adj 40). June's and the year's base is that bar; BBB has no
    seed row and keeps null bases; the one-session return stays null across the gap."""
    frame = pl.concat([bars([100.0, 110.0]), bars([50.0, 55.0], ticker="BBB")])
    seed = pl.DataFrame({"ticker": ["AAA"], "base_close": [80.0], "base_adj_close": [40.0]})
    out = daily_returns(frame, seed)
    first, second = on(out, JUNE[0]), on(out, JUNE[1])
    assert first["ret_mtd"] == pytest.approx(100 / 80 - 1)
    assert first["ret_ytd"] == pytest.approx(100 / 80 - 1)
    assert first["tr_ytd"] == pytest.approx(100 / 40 - 1)
    assert second["ret_mtd"] == pytest.approx(110 / 80 - 1)
    assert first["ret_1d"] is None and second["ret_1d"] == pytest.approx(0.1)
    assert on(out, JUNE[1], "BBB")["ret_mtd"] is None
    # July's base is June's last bar, not the seed
    july = daily_returns(bars([100.0] * 20 + [120.0]), seed)  # June has 20 sessions
    assert on(july, date(2025, 7, 1))["ret_mtd"] == pytest.approx(0.2)
    assert on(july, date(2025, 7, 1))["ret_ytd"] == pytest.approx(120 / 80 - 1)
