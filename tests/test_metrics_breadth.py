"""marts.breadth definitions on hand-computed frames (bellwether.metrics.breadth)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from bellwether.calendar import sessions_between
from bellwether.metrics.breadth import OUTPUT_COLUMNS, breadth
from bellwether.reference_sql import frame_mismatches

DAYS = sessions_between(date(2025, 6, 2), date(2025, 7, 31))
SCHEMA = {
    "universe": pl.String,
    "ticker": pl.String,
    "session_date": pl.Date,
    "direction": pl.Int8,
    "close": pl.Float64,
    "sma_20": pl.Float64,
    "sma_50": pl.Float64,
    "sma_200": pl.Float64,
    "high_52w": pl.Float64,
    "is_new_high_52w": pl.Boolean,
    "is_new_low_52w": pl.Boolean,
}


def member(ticker, day, direction, universe="u", close=100.0, **extra) -> dict:
    row = dict.fromkeys(SCHEMA)
    row.update(universe=universe, ticker=ticker, session_date=day, direction=direction, close=close)
    row.update(extra)
    return row


def frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA)


def session_of(directions: list[int | None], day, universe="u") -> list[dict]:
    """One member per direction (tickers T0, T1, ...) on ``day``."""
    return [member(f"T{i}", day, d, universe) for i, d in enumerate(directions)]


def test_advancers_decliners_and_unchanged_add_up_to_members_compared():
    out = breadth(frame(session_of([1, 1, -1, 0, None], DAYS[0])), {"u": 5})
    row = out.row(0, named=True)
    assert out.columns == list(OUTPUT_COLUMNS)
    assert (row["advancers"], row["decliners"], row["unchanged"]) == (2, 1, 1)
    assert row["members_compared"] == 4 == row["advancers"] + row["decliners"] + row["unchanged"]
    assert (row["members"], row["universe_size"], row["net_advances"]) == (5, 5, 1)


def test_a_session_gets_a_row_only_when_95_percent_of_members_have_a_bar():
    rows = [
        *session_of([1] * 20, DAYS[0]),  # 20 of 20
        *session_of([1] * 19, DAYS[1]),  # 19 of 20 = 95%: covered
        *session_of([1] * 18, DAYS[2]),  # 18 of 20 = 90%: not covered
    ]
    out = breadth(frame(rows), {"u": 20})
    assert out["session_date"].to_list() == [DAYS[0], DAYS[1]]
    assert out["members"].to_list() == [20, 19]
    assert out["universe_size"].to_list() == [20, 20]
    small = breadth(frame(session_of([1, 1], DAYS[0])), {"u": 3})  # 67%
    assert small.height == 0


def test_the_ad_line_cumulates_net_advances_over_covered_sessions_only():
    rows = [
        *session_of([1, 1, 1, -1], DAYS[0]),  # +2
        *session_of([1, 1, 1], DAYS[1]),  # 3 of 4: skipped
        *session_of([-1, -1, 1, 0], DAYS[2]),  # -1
        *session_of([1, 1, 1, 0], DAYS[3]),  # +3
    ]
    out = breadth(frame(rows), {"u": 4})
    assert out["session_date"].to_list() == [DAYS[0], DAYS[2], DAYS[3]]
    assert out["net_advances"].to_list() == [2, -1, 3]
    assert out["ad_line"].to_list() == [2, 1, 4]


def test_mcclellan_emas_start_at_the_first_sessions_net_advances():
    net = [10, 0, -10]
    rows = []
    for day, x in zip(DAYS, net, strict=False):
        rows += session_of([1] * max(x, 0) + [-1] * max(-x, 0) + [0] * (20 - abs(x)), day)
    out = breadth(frame(rows), {"u": 20})
    # ema = prev + alpha * (x - prev), starting at x_0
    assert out["net_adv_ema_19"].to_list() == pytest.approx([10.0, 9.0, 7.1])
    assert out["net_adv_ema_39"].to_list() == pytest.approx([10.0, 9.5, 8.525])
    assert out["mcclellan_osc"].to_list() == pytest.approx([0.0, -0.5, -1.425])


def test_pct_above_sma_is_a_percent_of_the_members_that_have_the_average():
    rows = [
        member("A", DAYS[0], 1, close=10.0, sma_20=9.0, sma_200=10.0),
        member("B", DAYS[0], 1, close=10.0, sma_20=9.5),
        member("C", DAYS[0], 1, close=10.0, sma_20=11.0),
        member("D", DAYS[0], 1, close=10.0),
    ]
    # the coverage rule is relaxed here to test the arithmetic itself
    row = breadth(frame(rows), {"u": 4}, min_coverage=0.2).row(0, named=True)
    assert row["pct_above_sma_20"] == pytest.approx(100 * 2 / 3)  # percent, not a fraction
    assert row["pct_above_sma_50"] is None  # nobody has a 50-session average
    assert row["pct_above_sma_200"] == 0.0  # equal to the average is not above it


def test_pct_above_sma_is_null_when_fewer_than_95pct_of_members_have_the_average():
    rows = [
        member(t, DAYS[0], 1, close=10.0, sma_20=9.0, sma_200=9.0 if t == "A" else None)
        for t in "ABCDEFGHIJKLMNOPQRST"
    ]
    row = breadth(frame(rows), {"u": 20}).row(0, named=True)
    assert row["pct_above_sma_20"] == 100.0  # 20 of 20 members have it
    assert row["pct_above_sma_200"] is None  # 1 of 20: would describe one stock, not the universe


def test_new_highs_and_lows_count_members_at_their_52_week_extremes():
    rows = [
        member("A", DAYS[0], 1, high_52w=12.0, is_new_high_52w=True, is_new_low_52w=False),
        member("B", DAYS[0], -1, high_52w=15.0, is_new_high_52w=False, is_new_low_52w=True),
        member("C", DAYS[0], -1, high_52w=20.0, is_new_high_52w=False, is_new_low_52w=True),
        member("D", DAYS[0], 0),  # no 52-week range yet
    ]
    row = breadth(frame(rows), {"u": 4}, min_coverage=0.5).row(0, named=True)
    assert (row["new_highs_52w"], row["new_lows_52w"], row["members_with_52w"]) == (1, 2, 3)
    row = breadth(frame(rows), {"u": 4}).row(0, named=True)  # 3 of 4 members have a range: < 95%
    assert (row["new_highs_52w"], row["new_lows_52w"], row["members_with_52w"]) == (None, None, 3)


def test_each_universe_is_computed_on_its_own_members():
    rows = [
        *session_of([1, 1, -1], DAYS[0], universe="big"),
        *session_of([-1], DAYS[0], universe="small"),
    ]
    out = breadth(frame(rows), {"big": 3, "small": 1})
    assert dict(out.select("universe", "net_advances").iter_rows()) == {"big": 1, "small": -1}


NETS = [3, -2, 0, 5, None, 1, -4, -4, 2, 6]  # None: a session below coverage


def history() -> pl.DataFrame:
    rows = []
    for day, x in zip(DAYS, NETS, strict=False):
        if x is None:
            rows += session_of([1] * 5, day)
        else:
            rows += session_of([1] * max(x, 0) + [-1] * max(-x, 0) + [0] * (10 - abs(x)), day)
    return frame(rows)


@pytest.mark.parametrize("first", range(1, len(NETS)))
def test_a_seeded_run_equals_the_full_computation(first):
    """Sessions ``first..`` continued from the last stored row before them (A/D line and
    both EMAs; an uncovered session in between changes nothing) equal the full computation."""
    full = breadth(history(), {"u": 10})
    seed = (
        full.filter(pl.col("session_date") < DAYS[first])
        .tail(1)
        .select("universe", "session_date", "ad_line", "net_adv_ema_19", "net_adv_ema_39")
    )
    part = breadth(history().filter(pl.col("session_date") >= DAYS[first]), {"u": 10}, seed=seed)
    want = full.filter(pl.col("session_date") >= DAYS[first])
    assert frame_mismatches(part, want, ["universe", "session_date"], rel_tol=1e-12) == []
