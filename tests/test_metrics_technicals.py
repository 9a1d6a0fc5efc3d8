"""marts.technicals definitions on hand-computed frames (bellwether.metrics.technicals)."""

from __future__ import annotations

import itertools
import math
import statistics
from datetime import date

import polars as pl
import pytest

from bellwether.calendar import sessions_between
from bellwether.metrics.technicals import OUTPUT_COLUMNS, technicals
from bellwether.reference_sql import frame_mismatches

SESSIONS = sessions_between(date(2024, 1, 2), date(2026, 6, 30))


def bars(
    closes: list[float | None],
    *,
    highs=None,
    lows=None,
    volumes=None,
    sessions=SESSIONS,
    ticker="AAA",
) -> pl.DataFrame:
    """One bar per session with these closes (``None``: no bar); high/low default to close."""
    n = len(closes)
    highs = highs or closes
    lows = lows or closes
    volumes = volumes or [1_000_000] * n
    rows = [
        (ticker, sessions[i], highs[i], lows[i], closes[i], volumes[i])
        for i in range(n)
        if closes[i] is not None
    ]
    return pl.DataFrame(
        rows,
        schema={
            "ticker": pl.String,
            "session_date": pl.Date,
            "high": pl.Float64,
            "low": pl.Float64,
            "close": pl.Float64,
            "volume": pl.Int64,
        },
        orient="row",
    )


def at(frame: pl.DataFrame, i: int, sessions=SESSIONS) -> dict:
    rows = frame.filter(pl.col("session_date") == sessions[i]).to_dicts()
    assert len(rows) == 1, (i, rows)
    return rows[0]


def test_output_has_one_row_per_bar_with_the_mart_columns():
    out = technicals(bars([10.0, None, 11.0]))
    assert out.columns == list(OUTPUT_COLUMNS)
    assert out["session_date"].to_list() == [SESSIONS[0], SESSIONS[2]]


# ---- moving averages -------------------------------------------------------------------


def test_sma_20_is_the_mean_close_of_the_20_sessions_ending_today():
    out = technicals(bars([float(i) for i in range(1, 26)]))
    assert at(out, 18)["sma_20"] is None  # 19 sessions of history
    assert at(out, 19)["sma_20"] == pytest.approx(10.5)  # mean of 1..20
    assert at(out, 24)["sma_20"] == pytest.approx(15.5)  # mean of 6..25
    assert at(out, 24)["sma_50"] is None


def test_a_window_containing_a_missing_bar_is_null():
    closes = [float(i) for i in range(1, 46)]
    closes[10] = None
    out = technicals(bars(closes))
    assert at(out, 29)["sma_20"] is None  # window 10..29 holds the gap
    assert at(out, 30)["sma_20"] == pytest.approx(statistics.mean(range(12, 32)))


def test_sma_200_needs_200_sessions():
    out = technicals(bars([100.0 + (i % 7) for i in range(201)]))
    assert at(out, 198)["sma_200"] is None
    assert at(out, 199)["sma_200"] == pytest.approx(
        statistics.mean(100.0 + (i % 7) for i in range(200))
    )
    assert at(out, 200)["sma_200"] == pytest.approx(
        statistics.mean(100.0 + (i % 7) for i in range(1, 201))
    )


# ---- RSI ------------------------------------------------------------------------------

# 14 changes: gains sum to 10, losses to 4; then +3 and -2
CHANGES = [1, -1, 2, -0.5, 1, 1, -1, 2, -0.5, 1, 1, -1, 1, 0, 3, -2]
RSI_CLOSES = [100.0]
for _c in CHANGES:
    RSI_CLOSES.append(RSI_CLOSES[-1] + _c)


def test_rsi_starts_at_the_14th_change_with_simple_averages():
    out = technicals(bars(RSI_CLOSES))
    assert [at(out, i)["rsi_14"] for i in range(14)] == [None] * 14
    first = at(out, 14)  # the 14th change
    assert first["rsi_avg_gain_14"] == pytest.approx(10 / 14)
    assert first["rsi_avg_loss_14"] == pytest.approx(4 / 14)
    assert first["rsi_14"] == pytest.approx(100 - 100 / (1 + 10 / 4))  # 71.43


def test_rsi_then_uses_wilders_smoothing():
    out = technicals(bars(RSI_CLOSES))
    # +3: gain (10/14 * 13 + 3) / 14 = 172/196, loss (4/14 * 13) / 14 = 52/196
    assert at(out, 15)["rsi_avg_gain_14"] == pytest.approx(172 / 196)
    assert at(out, 15)["rsi_avg_loss_14"] == pytest.approx(52 / 196)
    assert at(out, 15)["rsi_14"] == pytest.approx(100 * 172 / 224)  # 76.79
    # -2: gain 172/196 * 13/14 = 2236/2744, loss (52/196 * 13 + 2) / 14 = 1068/2744
    assert at(out, 16)["rsi_14"] == pytest.approx(100 * 2236 / (2236 + 1068))  # 67.68


def test_rsi_is_100_when_there_are_no_losses_and_null_when_nothing_moves():
    rising = technicals(bars([100.0 + i for i in range(16)]))
    assert at(rising, 14)["rsi_14"] == 100.0
    assert at(rising, 15)["rsi_14"] == 100.0
    flat = technicals(bars([100.0] * 16))
    assert at(flat, 15)["rsi_14"] is None
    assert at(flat, 15)["rsi_avg_gain_14"] == 0.0


def test_a_session_without_a_change_carries_the_rsi_averages():
    closes = [*RSI_CLOSES[:16], None, 120.0, 121.0]  # no bar on session 16
    out = technicals(bars(closes))
    before, after = at(out, 15), at(out, 17)  # session 17 has no previous bar
    assert after["rsi_avg_gain_14"] == pytest.approx(before["rsi_avg_gain_14"])
    assert after["rsi_avg_loss_14"] == pytest.approx(before["rsi_avg_loss_14"])
    assert after["rsi_14"] == pytest.approx(before["rsi_14"])
    # the next change (+1) continues from the carried averages
    assert at(out, 18)["rsi_avg_gain_14"] == pytest.approx((172 / 196 * 13 + 1) / 14)


def test_the_14_changes_may_span_a_missing_bar():
    closes = [*RSI_CLOSES[:5], None, *RSI_CLOSES[5:]]  # 15 bars but one change lost
    out = technicals(bars(closes))
    assert at(out, 15)["rsi_14"] is None  # only 13 changes
    assert at(out, 16)["rsi_14"] is not None


# ---- 52-week range ------------------------------------------------------------------


def range_bars(n=254, gap=None):
    closes = [100.0] * n
    highs = [101.0] * n
    lows = [99.0] * n
    highs[0], highs[252] = 200.0, 150.0
    lows[5] = 50.0
    if gap is not None:
        closes[gap] = None
    return bars(closes, highs=highs, lows=lows)


def test_52w_high_and_low_are_intraday_extremes_over_252_sessions_including_today():
    out = technicals(range_bars())
    assert at(out, 250)["high_52w"] is None  # 251 sessions
    day = at(out, 251)  # sessions 0..251
    assert (day["high_52w"], day["low_52w"]) == (200.0, 50.0)
    assert day["pct_from_high_52w"] == pytest.approx(100 / 200 - 1)
    assert (day["is_new_high_52w"], day["is_new_low_52w"]) == (False, False)
    day = at(out, 252)  # sessions 1..252: the 200 high dropped out, today's 150 is the high
    assert (day["high_52w"], day["low_52w"]) == (150.0, 50.0)
    assert day["is_new_high_52w"] is True
    assert at(out, 253)["high_52w"] == 150.0


def test_a_missing_bar_inside_the_52_weeks_makes_the_range_null():
    out = technicals(range_bars(n=254, gap=100))
    assert at(out, 252)["high_52w"] is None
    assert at(out, 252)["is_new_high_52w"] is None
    assert at(out, 252)["high_52w_session"] is None


def test_the_52w_high_session_is_the_latest_session_of_the_window_at_that_high():
    highs = [101.0] * 300
    highs[3] = 180.0  # the 52-week high of sessions 251..254, then out of the window
    highs[10] = highs[20] = 170.0  # two equal highs: the later one is the session
    highs[280] = 175.0  # a new 52-week high today
    closes = [100.0] * 300
    out = technicals(bars(closes, highs=highs, lows=[99.0] * 300))
    assert at(out, 250)["high_52w_session"] is None  # 251 sessions
    assert at(out, 251)["high_52w_session"] == SESSIONS[3]
    assert at(out, 254)["high_52w_session"] == SESSIONS[3]  # sessions 3..254
    assert at(out, 255)["high_52w_session"] == SESSIONS[20]  # sessions 4..255: 170 twice
    day = at(out, 280)
    assert (day["high_52w"], day["high_52w_session"]) == (175.0, SESSIONS[280])
    assert at(out, 299)["high_52w_session"] == SESSIONS[280]
    # the ranks are of the whole frame: another ticker's highs do not move them
    other = bars([50.0] * 300, highs=[60.0 + i for i in range(300)], lows=[40.0] * 300,
                 ticker="BBB")  # fmt: skip
    both = technicals(pl.concat([other, bars(closes, highs=highs, lows=[99.0] * 300)]))
    aaa = both.filter(pl.col("ticker") == "AAA")
    assert aaa["high_52w_session"].to_list() == out["high_52w_session"].to_list()
    assert at(both.filter(pl.col("ticker") == "BBB"), 299)["high_52w_session"] == SESSIONS[299]


def test_today_at_the_52w_low_is_a_new_low():
    lows = [99.0] * 253
    lows[252] = 98.0
    out = technicals(bars([100.0] * 253, highs=[101.0] * 253, lows=lows))
    assert at(out, 252)["is_new_low_52w"] is True
    assert at(out, 251)["is_new_low_52w"] is True  # equal to the 52-week low is at it


# ---- volume and volatility ------------------------------------------------------------


def test_average_volume_excludes_today():
    volumes = [100 * (i + 1) for i in range(64)]
    out = technicals(bars([10.0] * 64, volumes=volumes))
    assert at(out, 19)["avg_volume_20"] is None  # 19 previous sessions
    assert at(out, 20)["avg_volume_20"] == pytest.approx(1050.0)  # mean of 100..2000
    assert at(out, 62)["avg_volume_63"] is None
    assert at(out, 63)["avg_volume_63"] == pytest.approx(3200.0)  # mean of 100..6300
    assert at(out, 63)["rel_volume"] == pytest.approx(6400 / 3200)
    assert at(out, 62)["rel_volume"] is None


def test_no_volume_means_no_volume_averages():
    out = technicals(bars([10.0] * 70, volumes=[None] * 70))
    assert out["avg_volume_20"].null_count() == out.height
    assert out["rel_volume"].null_count() == out.height


def test_volatility_20d_is_the_annualised_sample_stdev_of_20_log_returns():
    closes = [100.0, 101.0, 99.5, 102.0, 101.0, 103.5, 104.0, 102.5, 103.0, 105.0, 104.0,
              106.0, 105.5, 107.0, 106.0, 108.0, 107.5, 109.0, 108.0, 110.0, 109.5, 111.0]  # fmt: skip
    out = technicals(bars(closes))
    logs = [math.log(b / a) for a, b in itertools.pairwise(closes)]
    assert at(out, 19)["volatility_20d"] is None  # 19 log returns
    assert at(out, 20)["volatility_20d"] == pytest.approx(
        statistics.stdev(logs[:20]) * math.sqrt(252)
    )
    assert at(out, 21)["volatility_20d"] == pytest.approx(
        statistics.stdev(logs[1:21]) * math.sqrt(252)
    )


# ---- record closes ------------------------------------------------------------------


def test_a_record_close_is_above_every_earlier_close():
    closes = [100.0, 110.0, 105.0, None, 120.0, 121.0, 121.0, 90.0]
    out = technicals(bars(closes))
    # first stored session: not a record; 121 equal to the record is not above it
    assert out["is_record_close"].to_list() == [False, True, False, True, True, False, False]
    assert out["record_closes_ytd"].to_list() == [0, 1, 1, 2, 3, 3, 3]


def test_record_closes_ytd_restart_with_the_calendar_year():
    days = sessions_between(date(2024, 12, 27), date(2025, 1, 6))
    out = technicals(bars([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], sessions=days))
    assert out["is_record_close"].to_list() == [False, True, True, True, True, True]
    assert out["record_closes_ytd"].to_list() == [0, 1, 2, 1, 2, 3]


# ---- bars stored -----------------------------------------------------------------------


def test_max_close_to_date_is_the_highest_close_up_to_and_including_today():
    out = technicals(bars([10.0, 12.0, None, 11.0, 13.0, 12.5]))
    assert out["max_close_to_date"].to_list() == [10.0, 12.0, 12.0, 13.0, 13.0]
    assert out["is_record_close"].to_list() == [False, True, False, True, False]


def test_record_closes_continue_from_the_seed_rows_maximum_and_years_count():
    """The seed row (session 1) says the highest close to date is 20 and 3 records were set
    in its year: 15 and 19 are no records, 21 is the year's 4th; nothing before the frame
    is read (no prior_max_close)."""
    frame = bars([14.0, 18.0, 15.0, 19.0, 21.0, 20.5])
    seed = pl.DataFrame(
        {"ticker": ["AAA"], "seed_session": [SESSIONS[1]], "rsi_avg_gain_14": [0.5],
         "rsi_avg_loss_14": [0.25], "bars_to_date": [40], "max_close_to_date": [20.0],
         "record_closes_ytd": [3]},
    )  # fmt: skip
    out = technicals(frame, seed=seed).filter(pl.col("session_date") > SESSIONS[1])
    assert SESSIONS[1].year == SESSIONS[5].year
    assert out["is_record_close"].to_list() == [False, False, True, False]
    assert out["record_closes_ytd"].to_list() == [3, 3, 4, 4]
    assert out["max_close_to_date"].to_list() == [20.0, 20.0, 21.0, 21.0]


def test_bars_to_date_counts_the_tickers_bars_up_to_and_including_today():
    out = technicals(bars([10.0, 11.0, None, None, 12.0, 13.0]))
    # sessions 0, 1, 4, 5 have bars: a gap does not count, the first bar counts 1
    assert out["bars_to_date"].to_list() == [1, 2, 3, 4]


def test_bars_to_date_continues_from_the_seed_rows_count():
    """A build of sessions 3.. whose seed row (session 2) says 40 bars were stored up to it
    (history before the frame) counts on from 40, bars after the seed only."""
    frame = bars([10.0, 11.0, 12.0, 13.0, None, 14.0])
    seed = pl.DataFrame(
        {"ticker": ["AAA"], "prior_max_close": [9.0], "seed_session": [SESSIONS[2]],
         "rsi_avg_gain_14": [0.5], "rsi_avg_loss_14": [0.25], "bars_to_date": [40]},
    )  # fmt: skip
    out = technicals(frame, seed=seed)
    assert out.filter(pl.col("session_date") > SESSIONS[2])["bars_to_date"].to_list() == [41, 42]


# ---- seeded continuation -------------------------------------------------------------


def walk(n: int) -> list[float | None]:
    out, price = [], 100.0
    for i in range(n):
        price = round(price * (1 + 0.013 * math.sin(i * 1.7) + 0.004 * math.cos(i * 0.3)), 4)
        out.append(None if i in (40, 41, 300) else price)
    return out


@pytest.mark.parametrize("records", ["prior_max_close", "stored_record_state"])
@pytest.mark.parametrize("first", [270, 290, 301, 302, 330])
def test_a_seeded_run_equals_the_full_computation(first, records):
    """Sessions ``first..`` from 253 sessions of bars, the stored RSI averages of the last
    bar before (the session before, or the one before that gap: first=301) and either the
    highest close before the window or (as the build does) the highest close to date and
    the year's record count stored on that bar, equal the full computation."""
    closes = walk(340)
    highs = [c and c * 1.01 for c in closes]
    lows = [c and c * 0.99 for c in closes]
    volumes = [1000 + (i * 37) % 500 for i in range(340)]
    all_bars = bars(closes, highs=highs, lows=lows, volumes=volumes)
    full = technicals(all_bars)
    start = SESSIONS[first - 253]
    stored = full.filter(pl.col("session_date") < SESSIONS[first]).tail(1)
    seed = pl.DataFrame(
        {
            "ticker": ["AAA"],
            "prior_max_close": [all_bars.filter(pl.col("session_date") < start)["close"].max()],
            "seed_session": stored["session_date"].to_list(),
            "rsi_avg_gain_14": stored["rsi_avg_gain_14"].to_list(),
            "rsi_avg_loss_14": stored["rsi_avg_loss_14"].to_list(),
            "bars_to_date": stored["bars_to_date"].to_list(),
        },
        schema_overrides={"prior_max_close": pl.Float64},
    )
    if records == "stored_record_state":
        seed = seed.with_columns(
            pl.lit(None, dtype=pl.Float64).alias("prior_max_close"),
            pl.lit(stored["max_close_to_date"].item()).alias("max_close_to_date"),
            pl.lit(stored["record_closes_ytd"].item()).alias("record_closes_ytd"),
        )
    part = technicals(all_bars.filter(pl.col("session_date") >= start), seed=seed)
    got = part.filter(pl.col("session_date") >= SESSIONS[first])
    want = full.filter(pl.col("session_date") >= SESSIONS[first])
    assert got.height == want.height
    assert frame_mismatches(got, want, ["ticker", "session_date"], rel_tol=1e-12) == []
