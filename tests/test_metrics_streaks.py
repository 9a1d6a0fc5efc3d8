"""marts.streaks definitions on hand-computed frames (bellwether.metrics.streaks)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bellwether.calendar import sessions_between
from bellwether.metrics.streaks import streaks

JUNE = sessions_between(date(2025, 6, 2), date(2025, 7, 31))


def bars(closes: list[float | None], sessions=JUNE, ticker="AAA", decimals=4) -> pl.DataFrame:
    """One bar per session with these closes; ``None`` means no bar that session."""
    rows = [
        (ticker, d, c, decimals) for d, c in zip(sessions, closes, strict=False) if c is not None
    ]
    return pl.DataFrame(
        rows,
        schema={
            "ticker": pl.String,
            "session_date": pl.Date,
            "close": pl.Float64,
            "price_decimals": pl.Int32,
        },
        orient="row",
    )


def columns(frame: pl.DataFrame) -> tuple[list, list, list]:
    return (
        frame["up_streak"].to_list(),
        frame["down_streak"].to_list(),
        frame["direction"].to_list(),
    )


def test_streaks_count_consecutive_closes_above_or_below_the_previous_close():
    up, down, direction = columns(streaks(bars([10.0, 11.0, 12.0, 11.0, 10.0, 9.0, 9.5])))
    assert direction == [None, 1, 1, -1, -1, -1, 1]
    assert up == [0, 1, 2, 0, 0, 0, 1]
    assert down == [0, 0, 0, 1, 2, 3, 0]


def test_the_first_session_of_history_has_both_streaks_zero():
    out = streaks(bars([10.0]))
    assert columns(out) == ([0], [0], [None])


def test_an_unchanged_close_at_published_precision_ends_both_streaks():
    # 4 decimals: 100.00004 and 100.00001 both show as 100.0000, unchanged
    closes = [99.0, 100.0, 100.00004, 100.00001, 100.0001, 100.0002]
    up, down, direction = columns(streaks(bars(closes)))
    assert direction == [None, 1, 0, 0, 1, 1]
    assert up == [0, 1, 0, 0, 1, 2]
    assert down == [0, 0, 0, 0, 0, 0]


def test_precision_is_the_instruments_own_two_decimals_for_an_index():
    closes = [5000.004, 5000.001, 4999.999]
    # at 2 decimals: 5000.00, 5000.00, 5000.00 -> unchanged twice
    assert columns(streaks(bars(closes, decimals=2)))[2] == [None, 0, 0]
    # at 4 decimals the same closes fall twice
    assert columns(streaks(bars(closes, decimals=4))) == ([0, 0, 0], [0, 1, 2], [None, -1, -1])


def test_a_missing_bar_restarts_the_streak():
    # no bar on JUNE[3]: JUNE[4] has nothing to compare with (both 0), then a new run
    up, down, direction = columns(streaks(bars([1.0, 2.0, 3.0, None, 5.0, 6.0, 7.0])))
    assert direction == [None, 1, 1, None, 1, 1]
    assert up == [0, 1, 2, 0, 1, 2]
    assert down == [0] * 6


def test_a_holiday_is_not_a_gap_so_the_streak_runs_across_good_friday():
    week = sessions_between(date(2025, 4, 14), date(2025, 4, 23))  # no 04-18 session
    out = streaks(bars([100.0, 101.0, 102.0, 103.0, 104.0, 103.0, 102.0], sessions=week))
    row = out.filter(pl.col("session_date") == date(2025, 4, 21)).row(0, named=True)
    assert (row["up_streak"], row["down_streak"], row["direction"]) == (4, 0, 1)


def test_tickers_have_their_own_streaks():
    out = streaks(pl.concat([bars([1.0, 2.0, 3.0], ticker="A"), bars([3.0, 2.0, 1.0], ticker="B")]))
    assert out.filter(pl.col("ticker") == "A")["up_streak"].to_list() == [0, 1, 2]
    assert out.filter(pl.col("ticker") == "B")["down_streak"].to_list() == [0, 1, 2]


CLOSES = [10.0, 11.0, 12.0, 12.0, 11.0, 10.0, 9.0, None, 9.5, 9.6, 9.7, 9.7, 9.6, 9.5, 10.0, 10.5]


@pytest.mark.parametrize("first", range(1, len(CLOSES)))
def test_a_seeded_run_equals_the_full_computation(first):
    """Computing sessions ``first..`` from the stored row of the session before (the seed)
    and the bars from that session on gives what the full history gives."""
    full = streaks(bars(CLOSES))
    prev = JUNE[first - 1]
    seed = full.filter(pl.col("session_date") == prev).select(
        "ticker", "session_date", "up_streak", "down_streak"
    )
    part = streaks(bars(CLOSES).filter(pl.col("session_date") >= prev), seed=seed)
    want = full.filter(pl.col("session_date") >= JUNE[first])
    got = part.filter(pl.col("session_date") >= JUNE[first])
    assert_frame_equal(got, want, check_exact=True)


def test_a_seed_of_a_long_streak_continues_it():
    seed = pl.DataFrame(
        {"ticker": ["AAA"], "session_date": [JUNE[0]], "up_streak": [7], "down_streak": [0]},
        schema_overrides={"up_streak": pl.Int32, "down_streak": pl.Int32},
    )
    up, down, _ = columns(streaks(bars([10.0, 10.5, 11.0, 10.0]), seed=seed))
    assert up == [7, 8, 9, 0]
    assert down == [0, 0, 0, 1]
