"""A dividend going ex after a ticker's whole stored history is applied by scale: the
landing multiplies the ticker's ``raw.adj_close_scale`` instead of rewriting its history
(docs/METRICS.md, "Corporate actions"). That is right only if re-basing the whole history
moves every stored ``adj_close`` and ``dividend_factor`` by one factor, the one
:func:`bellwether.rebasing.appended_dividend_scale` computes from the ticker's last stored
bar and the incoming bars, and if the incoming bars re-based with only that last bar come
out as they do with the whole history. Checked here on random histories, earlier actions
and new dividends, against :func:`bellwether.rebasing.rebase` over everything."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from bellwether.rebasing import appended_dividend_scale, rebase

FIRST = date(2025, 3, 3)
ACTIONS_SCHEMA = {
    "ticker": pl.String,
    "ex_date": pl.Date,
    "action": pl.String,
    "value": pl.Float64,
    "basis_session": pl.Date,
}


def _bars(closes: list[float], sessions: list[date], basis: date | None) -> pl.DataFrame:
    """Bars of ticker T as delivered (factors 1), each on ``basis`` (its own session: None)."""
    return pl.DataFrame(
        {
            "ticker": "T",
            "session_date": sessions,
            "open": closes,
            "high": [c * 1.01 for c in closes],
            "low": [c * 0.99 for c in closes],
            "close": closes,
            "adj_close": [c * 0.97 for c in closes],
            "volume": [1_000_000 + i for i in range(len(closes))],
            "basis_session": [basis or s for s in sessions],
            "split_factor": 1.0,
            "dividend_factor": 1.0,
            "delivered_volume": None,
        },
        schema_overrides={"delivered_volume": pl.Int64},
    )


def _actions(rows: list[tuple[date, str, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        [("T", ex, kind, value, ex) for ex, kind, value in rows],
        schema=ACTIONS_SCHEMA,
        orient="row",
    )


@settings(max_examples=150, deadline=None)
@given(
    closes=st.lists(st.floats(5.0, 500.0), min_size=2, max_size=10),
    incoming=st.lists(st.floats(5.0, 500.0), min_size=1, max_size=4),
    earlier=st.lists(
        st.tuples(st.integers(1, 9), st.sampled_from(["dividend", "split"]), st.integers(0, 2)),
        max_size=3,
    ),
    new=st.lists(st.tuples(st.integers(0, 3), st.floats(0.01, 2.0)), min_size=1, max_size=3),
)
def test_a_dividend_after_the_stored_history_moves_every_stored_adj_close_by_one_scale(
    closes, incoming, earlier, new
):
    stored_days = [FIRST + timedelta(days=i) for i in range(len(closes))]
    new_days = [stored_days[-1] + timedelta(days=1 + i) for i in range(len(incoming))]
    # earlier actions, within the stored history: applied when it was landed
    values = {"dividend": [0.1, 0.5, 1.0], "split": [2.0, 0.5, 3.0]}
    old = _actions(
        sorted(
            {
                (stored_days[min(i, len(stored_days) - 1)], kind, values[kind][v])
                for i, kind, v in earlier
                if min(i, len(stored_days) - 1) > 0
            }
        )
    ).unique(subset=["ex_date", "action"], keep="first")
    history = rebase(_bars(closes, stored_days, None), old).drop(
        "split_changed", "dividend_changed", "factors_changed"
    )
    # new dividends going ex on incoming sessions, delivered on the last one's basis
    dividends = _actions(
        sorted({(new_days[min(i, len(new_days) - 1)], "dividend", v) for i, v in new})
    ).unique(subset=["ex_date", "action"], keep="first")
    arriving = _bars(incoming, new_days, new_days[-1])
    everything = pl.concat([old, dividends])

    whole = rebase(pl.concat([history, arriving]), everything)
    last_bar = history.filter(pl.col("session_date") == stored_days[-1])
    subset = pl.concat([last_bar, arriving])
    scale = appended_dividend_scale(subset, everything, dividends)

    factor = scale["scale"].to_list()[0] if scale.height else 1.0
    stored = whole.filter(pl.col("session_date") <= stored_days[-1])
    assert not stored["split_changed"].any()
    moved = history.with_columns(pl.col("adj_close") * factor, pl.col("dividend_factor") * factor)
    assert_frame_equal(stored.select(history.columns), moved, rel_tol=1e-12, abs_tol=0.0)
    # the incoming bars re-based with the last stored bar only are what the whole gives
    assert_frame_equal(
        rebase(subset, everything).filter(pl.col("session_date") > stored_days[-1]),
        whole.filter(pl.col("session_date") > stored_days[-1]),
        rel_tol=1e-12,
        abs_tol=0.0,
    )


def test_the_scale_of_one_dividend_is_one_minus_dividend_over_the_previous_close():
    days = [FIRST, FIRST + timedelta(days=1)]
    bars = _bars([40.0, 41.0], days, None)
    dividend = _actions([(days[1], "dividend", 0.5)])
    got = appended_dividend_scale(bars, dividend, dividend)
    assert got.rows() == [("T", pytest.approx(1 - 0.5 / 40.0, rel=1e-15))]


def test_a_dividend_with_nothing_stored_before_it_moves_nothing():
    bars = _bars([40.0], [FIRST], None)
    dividend = _actions([(FIRST, "dividend", 0.5)])
    assert appended_dividend_scale(bars, dividend, dividend).height == 0
