"""Splits and dividends re-base the stored history (bellwether/rebasing.py).

A source snapshot holds every session on the basis of the day it was taken. A warehouse
fed one session a day must still end with what a fresh download would give: these tests
land bars the way the daily schedule does, each on the basis of its own day (prices before
a split not yet divided, ``adj_close`` before a dividend not yet adjusted), deliver the
action with the session of its ex-date, and compare every stored bar and every mart row
with one build from the final basis.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from bellwether.calendar import previous_session, sessions_between
from bellwether.pipeline import run_pipeline
from bellwether.sources.base import FetchResult
from bellwether.universe import parse_universe
from bellwether.warehouse import Warehouse
from tests.faults_support import (
    NOW,
    assert_marts_equal,
    instrument_entries,
    marts_of,
    read_table,
    sample_bars,
)

SPLIT_ETFS = ["XLB", "XLE", "XLK", "XLU", "XLY"]
SYMBOLS = ["^GSPC", "SPY", *SPLIT_ETFS]
UNIVERSE = parse_universe(
    {
        "instruments": instrument_entries(SYMBOLS),
        "universes": {"sectors": {"members": SPLIT_ETFS, "breadth": True}},
        "relative_pairs": [{"ticker": t, "benchmark": "SPY"} for t in SPLIT_ETFS],
    }
)
#: SPY against the S&P 500, no breadth: the dividend tests' universe.
SPY_UNIVERSE = parse_universe(
    {
        "instruments": instrument_entries(["^GSPC", "SPY"]),
        "universes": {"broad": {"members": ["SPY"], "breadth": False}},
        "relative_pairs": [{"ticker": "SPY", "benchmark": "^GSPC"}],
    }
)
SPLIT_DAY = date(2025, 12, 5)
BAR_KEYS = ["ticker", "session_date"]
VALUES = ["open", "high", "low", "close", "adj_close", "volume"]


def final_bars(symbols: list[str], first: date, last: date) -> pl.DataFrame:
    """The bundled bars (downloaded after every action here): the final basis."""
    return (
        sample_bars(symbols, first, last)
        .rename({"date": "session_date"})
        .with_columns(pl.col("volume").cast(pl.Float64))
    )


class SnapshotSource:
    """Serves, for each request, the bars as a download on ``basis`` (default: the request's
    last session) would have: ``delivered(basis)`` gives the values on that basis, and each
    dividend is per share on that basis too (times the splits after it)."""

    name = "snapshots"

    def __init__(self, delivered, actions: pl.DataFrame, basis: date | None = None) -> None:
        self.delivered = delivered
        self.actions = actions
        self.basis = basis

    def fetch(self, symbols: list[str], start: date, end: date) -> FetchResult:
        basis = self.basis or end
        bars = self.delivered(basis).filter(
            pl.col("ticker").is_in(symbols) & pl.col("session_date").is_between(start, end)
        )
        actions = self.actions.filter(
            pl.col("ticker").is_in(symbols) & pl.col("ex_date").is_between(start, end)
        )
        later_splits = self.actions.filter(
            (pl.col("action") == "split") & (pl.col("ex_date") > basis)
        )
        scaled = []
        for ticker, ex, kind, value in actions.select(
            "ticker", "ex_date", "action", "value"
        ).iter_rows():
            if kind == "dividend":
                for (ratio,) in (
                    later_splits.filter(pl.col("ticker") == ticker).select("value").iter_rows()
                ):
                    value *= ratio
            scaled.append((ticker, ex, kind, value))
        delivered_actions = pl.DataFrame(
            scaled, schema={"ticker": pl.String, "ex_date": pl.Date, "action": pl.String,
                            "value": pl.Float64}, orient="row",
        )  # fmt: skip
        return FetchResult(
            self.name,
            bars.with_columns(pl.lit(None, dtype=pl.String).alias("parse_error")),
            delivered_actions,
            basis_session=basis,
            actions_complete=True,
        )


def land_daily(wh: Warehouse, source, universe, backfill_to: date, last: date, first: date):
    """A backfill up to ``backfill_to`` (one run), then one run per session to ``last``."""
    run_pipeline(wh, source, universe, first, backfill_to, now=NOW, use_gx=False)
    for session in sessions_between(backfill_to, last)[1:]:
        run_pipeline(wh, source, universe, session, session, now=NOW, use_gx=False)


def one_full_build(tmp: Path, bars: pl.DataFrame, actions: pl.DataFrame, universe) -> Warehouse:
    """A fresh warehouse landed in one run from the final basis."""
    final = SnapshotSource(lambda _end: bars, actions)
    wh = Warehouse(tmp / "full.duckdb")
    first, last = bars["session_date"].min(), bars["session_date"].max()
    run_pipeline(wh, final, universe, first, last, now=NOW, use_gx=False)
    return wh


def assert_bars_and_marts_equal(wh: Warehouse, full: Warehouse) -> None:
    got = read_table(wh, "raw.daily_bars").select(*BAR_KEYS, *VALUES).sort(BAR_KEYS)
    want = read_table(full, "raw.daily_bars").select(*BAR_KEYS, *VALUES).sort(BAR_KEYS)
    assert_frame_equal(got, want, rel_tol=1e-12, abs_tol=0.0)
    assert_marts_equal(marts_of(wh), marts_of(full))
    assert read_table(wh, "marts.pending_rebuilds").height == 0


def pre_split(bars: pl.DataFrame, basis: date) -> pl.DataFrame:
    """The SPDR bars as downloaded on ``basis``: before the 2025-12-05 splits, the prices of
    earlier sessions are twice the final ones and the volumes half."""
    before = pl.col("ticker").is_in(SPLIT_ETFS) & (pl.col("session_date") < SPLIT_DAY)
    if basis >= SPLIT_DAY:
        return bars
    return bars.with_columns(
        *[pl.when(before).then(pl.col(c) * 2).otherwise(pl.col(c)).alias(c) for c in VALUES[:5]],
        pl.when(before).then(pl.col("volume") / 2).otherwise(pl.col("volume")).alias("volume"),
    )


NO_ACTIONS = pl.DataFrame(
    schema={"ticker": pl.String, "ex_date": pl.Date, "action": pl.String, "value": pl.Float64}
)


def split_basis(bars: pl.DataFrame, ticker: str, ex: date, ratio: float):
    """``delivered(basis)`` for a ``ratio`` split of ``ticker`` on ``ex``: a download before
    the ex-date has earlier prices ``ratio`` times the final ones and volumes divided."""
    before = (pl.col("ticker") == ticker) & (pl.col("session_date") < ex)

    def delivered(basis: date) -> pl.DataFrame:
        if basis >= ex:
            return bars
        return bars.with_columns(
            *[pl.when(before).then(pl.col(c) * ratio).otherwise(pl.col(c)).alias(c) for c in VALUES[:5]],
            pl.when(before).then(pl.col("volume") / ratio).otherwise(pl.col("volume")).alias("volume"),
        )  # fmt: skip

    return delivered


def split_actions() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ticker": SPLIT_ETFS,
            "ex_date": [SPLIT_DAY] * len(SPLIT_ETFS),
            "action": ["split"] * len(SPLIT_ETFS),
            "value": [2.0] * len(SPLIT_ETFS),
        }
    )


@pytest.mark.slow  # a landing per session: make test-long
def test_the_2025_12_05_splits_landed_day_by_day_equal_a_download_after_them(tmp_path):
    """The SPDR ETFs landed session by session up to 2025-12-04 on the pre-split basis
    (prices doubled, volumes halved, no action known), then 2025-12-05 and the following
    sessions with the 2:1 splits: afterwards every stored bar and every mart row equals one
    build from the post-split data, and the split day is no -50% move anywhere."""
    first, last = date(2025, 6, 2), date(2025, 12, 12)
    bars = final_bars(SYMBOLS, first, last)
    source = SnapshotSource(lambda basis: pre_split(bars, basis), split_actions())
    wh = Warehouse(tmp_path / "daily.duckdb")
    land_daily(wh, source, UNIVERSE, date(2025, 11, 28), last, first)

    full = one_full_build(tmp_path, bars, split_actions(), UNIVERSE)
    assert_bars_and_marts_equal(wh, full)
    returns = read_table(wh, "marts.daily_returns").filter(pl.col("session_date") == SPLIT_DAY)
    assert returns.filter(pl.col("ret_1d").abs() > 0.1).height == 0
    log = read_table(wh, "raw.rebasings")
    assert sorted(log["ticker"].to_list()) == sorted(SPLIT_ETFS)
    assert set(log["change"].to_list()) == {"applied"}
    assert set(log["factor"].to_list()) == {2.0}
    assert set(log["last_session"].to_list()) == {previous_session(SPLIT_DAY)}
    steps = read_table(wh, "dq.check_results").filter(
        (pl.col("check") == "step_change") & (pl.col("session_date") == SPLIT_DAY)
    )
    assert steps["passed"].to_list() == [True], steps["message"].to_list()
    # a 2:1 split halves every earlier price exactly: the ETFs' streaks and technicals are
    # rebuilt over their history, but no member's part in breadth and no sector ETF's
    # returns changed, so neither cross-sectional mart is rebuilt before the split day
    rebuilt = read_table(wh, "marts.rebuild_log").filter(pl.col("reason") != "requested")
    assert {"streaks", "technicals"} <= set(rebuilt["mart"].to_list())
    assert rebuilt.filter(pl.col("mart") == "technicals")["first_session"].min() == first
    assert not {"breadth", "sector_performance"} & set(rebuilt["mart"].to_list())


def test_a_daily_run_with_a_split_checks_the_split_stock_over_its_history(tmp_path, monkeypatch):
    """The ``recompute`` check of a daily run that re-based one stock's history (its split)
    recomputes that stock from its first bar, whatever the draw, and the drawn sample over
    the last sessions only (the rest of the run changed nothing before them). XLY sorts
    after four other symbols: a check of the first tickers of the run's queue missed it."""
    from bellwether import marts
    from checks.run import RECOMPUTE_SAMPLE

    first = date(2025, 6, 2)
    bars = final_bars(SYMBOLS, first, SPLIT_DAY)
    actions = split_actions().filter(pl.col("ticker") == "XLY")
    source = SnapshotSource(split_basis(bars, "XLY", SPLIT_DAY, 2.0), actions)
    wh = Warehouse(tmp_path / "wh.duckdb")
    run_pipeline(wh, source, UNIVERSE, first, previous_session(SPLIT_DAY), now=NOW, use_gx=False)
    recomputed = []

    def spying(how: str):
        real = getattr(marts, how)

        def spy(con, mart, universe, tickers, *rest):
            recomputed.append((mart, how, tuple(tickers)))
            return real(con, mart, universe, tickers, *rest)

        return spy

    for how in ("recompute_from_raw", "recompute_window"):
        monkeypatch.setattr(marts, how, spying(how))
    run_pipeline(wh, source, UNIVERSE, SPLIT_DAY, SPLIT_DAY, now=NOW, use_gx=False)

    for mart in ("daily_returns", "streaks", "technicals", "relative_performance"):
        from_raw = [t for m, how, t in recomputed if m == mart and how == "recompute_from_raw"]
        window = [t for m, how, t in recomputed if m == mart and how == "recompute_window"]
        assert from_raw == [("XLY",)], mart
        assert len(window) == 1 and "XLY" not in window[0], mart
        assert len(window[0]) >= RECOMPUTE_SAMPLE - 1
    checked = read_table(wh, "dq.check_results").filter(pl.col("check") == "recompute")
    assert checked.height and checked["passed"].all(), checked["message"].to_list()


def with_dividend(bars: pl.DataFrame, ticker: str, ex_date: date, dividend: float):
    """Two snapshots of ``ticker``'s adj_close around a dividend on ``ex_date``: the bundled
    one (after it) is the final basis; before the ex-date a download had every earlier
    adj_close divided by ``1 - dividend / close[ex_date - 1]``."""
    prev_close = bars.filter(
        (pl.col("ticker") == ticker) & (pl.col("session_date") == previous_session(ex_date))
    )["close"][0]
    factor = 1 - dividend / prev_close
    before = (pl.col("ticker") == ticker) & (pl.col("session_date") < ex_date)

    def delivered(basis: date) -> pl.DataFrame:
        if basis >= ex_date:
            return bars
        return bars.with_columns(
            pl.when(before).then(pl.col("adj_close") / factor).otherwise(pl.col("adj_close"))
        )

    actions = pl.DataFrame(
        {"ticker": [ticker], "ex_date": [ex_date], "action": ["dividend"], "value": [dividend]}
    )
    return delivered, actions


def spy_dividend(first: date, last: date):
    """SPY's bundled bars of ``first..last`` (the final basis), its 1.99 dividend of
    2025-12-19, and the snapshots around it: ``(bars, ex_date, delivered, actions)``."""
    bars = final_bars(["^GSPC", "SPY"], first, last)
    ex_date = date(2025, 12, 19)
    delivered, actions = with_dividend(bars, "SPY", ex_date, 1.99)
    return bars, ex_date, delivered, actions


@pytest.mark.slow  # a landing per session: make test-long
def test_a_dividend_landed_day_by_day_re_bases_adj_close_and_the_total_returns(tmp_path):
    """SPY's 2025-12-19 dividend arrives with that session: the stored adj_close before it
    is multiplied by ``1 - dividend / previous close``, so tr_1d on the ex-date includes the
    dividend, and every bar and mart equals one build from the later snapshot."""
    first, last = date(2025, 9, 2), date(2025, 12, 31)
    universe = SPY_UNIVERSE
    bars, ex_date, delivered, actions = spy_dividend(first, last)
    wh = Warehouse(tmp_path / "daily.duckdb")
    land_daily(wh, SnapshotSource(delivered, actions), universe, date(2025, 12, 12), last, first)
    full = one_full_build(tmp_path, bars, actions, universe)
    assert_bars_and_marts_equal(wh, full)
    log = read_table(wh, "raw.rebasings")
    assert log["action"].to_list() == ["dividend"]
    spy = read_table(wh, "marts.daily_returns").filter(
        (pl.col("ticker") == "SPY") & (pl.col("session_date") == ex_date)
    )
    # the total return exceeds the price return by about the dividend yield of the day
    gap = spy["tr_1d"][0] - spy["ret_1d"][0]
    assert 0.002 < gap < 0.004


@st.composite
def action_plans(draw):
    """Random splits (forward and reverse) and dividends, some on the same day."""
    sessions = sessions_between(date(2025, 11, 10), date(2025, 11, 28))
    plans = []
    for ticker in ("SPY", "XLK"):
        for _ in range(draw(st.integers(0, 2))):
            day = draw(st.sampled_from(sessions[5:]))
            kind = draw(st.sampled_from(["split", "dividend"]))
            if kind == "split":
                value = draw(st.sampled_from([2.0, 3.0, 0.5, 0.1]))
            else:
                value = draw(st.sampled_from([0.25, 1.5]))
            plans.append((ticker, day, kind, value))
    return sorted(set({(t, d, k): v for t, d, k, v in plans}.items()))


def delivered_on(bars: pl.DataFrame, actions: pl.DataFrame):
    """``basis -> bars`` as downloaded on that basis from the final ``bars``: the actions
    after it not yet applied (split prices times the ratio, volumes divided by it;
    ``adj_close`` divided by each later dividend's factor, Yahoo's ``1 - dividend /
    previous close`` on the final basis)."""

    def delivered(basis: date) -> pl.DataFrame:
        out = bars
        later = actions.filter(pl.col("ex_date") > basis).sort("ex_date", descending=True)
        for ticker, ex, kind, value in later.select(
            "ticker", "ex_date", "action", "value"
        ).iter_rows():
            before = (pl.col("ticker") == ticker) & (pl.col("session_date") < ex)
            if kind == "split":
                out = out.with_columns(
                    *[pl.when(before).then(pl.col(c) * value).otherwise(pl.col(c)).alias(c)
                      for c in VALUES[:5]],
                    pl.when(before).then((pl.col("volume") / value).round(0))
                    .otherwise(pl.col("volume")).alias("volume"),
                )  # fmt: skip
            else:
                prev = bars.filter(
                    (pl.col("ticker") == ticker) & (pl.col("session_date") < ex)
                ).sort("session_date")["close"][-1]
                factor = 1 - value / prev
                out = out.with_columns(
                    pl.when(before)
                    .then(pl.col("adj_close") / factor)
                    .otherwise(pl.col("adj_close"))
                )
        return out

    return delivered


@pytest.mark.slow  # random sequences of daily landings: make test-long
@settings(
    max_examples=2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=action_plans(), backfill_first=st.booleans())
# always covered: a split and a dividend on the same day, a reverse split, both orders
@example(
    plan=[
        (("SPY", date(2025, 11, 18), "dividend"), 1.5),
        (("SPY", date(2025, 11, 18), "split"), 2.0),
        (("XLK", date(2025, 11, 24), "split"), 0.1),
    ],
    backfill_first=True,
)
@example(
    plan=[(("XLK", date(2025, 11, 19), "dividend"), 0.25), (("XLK", date(2025, 11, 21), "split"), 3.0)],
    backfill_first=False,
)  # fmt: skip
def test_random_splits_and_dividends_between_daily_landings_equal_one_full_build(
    tmp_path_factory, plan, backfill_first
):
    """Whatever actions happen between daily landings, and whether the history before the
    daily runs is backfilled first (on an old basis) or afterwards (on today's basis), the
    warehouse ends equal to one build from the final basis."""
    tmp = tmp_path_factory.mktemp("actions")
    first, last = date(2025, 9, 2), date(2025, 11, 28)
    symbols = ["^GSPC", "SPY", "XLK"]
    universe = parse_universe(
        {
            "instruments": instrument_entries(symbols),
            "universes": {"funds": {"members": ["SPY", "XLK"], "breadth": True}},
            "relative_pairs": [{"ticker": "XLK", "benchmark": "SPY"}],
        }
    )
    # the final basis: bundled bars, volumes made divisible by every product of two split
    # ratios (2 x 2, 3 x 3: 36), so that a download on any basis delivers them unrounded
    # and one build from the final basis is the one right answer (a volume the source
    # rounded on an older basis cannot be recovered: 70820880 / 9 delivered as 7868987)
    bars = final_bars(symbols, first, last).with_columns(
        ((pl.col("volume") / 360).round(0) * 360).alias("volume")
    )
    rows = [((t, d, k), v) for (t, d, k), v in plan]
    actions = pl.DataFrame(
        {
            "ticker": [t for (t, _, _), _ in rows],
            "ex_date": [d for (_, d, _), _ in rows],
            "action": [k for (_, _, k), _ in rows],
            "value": [v for _, v in rows],
        },
        schema={"ticker": pl.String, "ex_date": pl.Date, "action": pl.String, "value": pl.Float64},
    )

    delivered = delivered_on(bars, actions)

    source = SnapshotSource(delivered, actions)
    wh = Warehouse(tmp / "daily.duckdb")
    daily_from = date(2025, 11, 7)
    if backfill_first:
        land_daily(wh, source, universe, daily_from, last, first)
    else:  # the daily runs first, the history afterwards (downloaded on the last day)
        land_daily(wh, source, universe, sessions_between(daily_from, last)[1], last, daily_from)
        late = SnapshotSource(delivered, actions, basis=last)  # downloaded on the last day
        run_pipeline(wh, late, universe, first, previous_session(daily_from), now=NOW, use_gx=False)

    full = one_full_build(tmp, bars, actions, universe)
    assert_bars_and_marts_equal(wh, full)


@pytest.mark.slow  # a sequence of landings: make test-long
def test_dividends_applied_by_scale_then_revised_and_earlier_history_equal_one_full_build(
    tmp_path,
):
    """Weeks of operation on one ticker's dividends: SPY's two dividends each go ex on a
    daily run's session (applied by scale, nothing rewritten), the source then revises the
    first one (the history before it is rewritten, on top of the scale), and the history
    before the warehouse's first session is backfilled last (downloaded on the last day).
    What every reader sees ends equal to one build from the final basis."""
    symbols = ["^GSPC", "SPY", "XLK"]
    universe = parse_universe(
        {
            "instruments": instrument_entries(symbols),
            "universes": {"funds": {"members": ["SPY", "XLK"], "breadth": True}},
            "relative_pairs": [{"ticker": "SPY", "benchmark": "^GSPC"}],
        }
    )
    first, start, last = date(2025, 9, 2), date(2025, 11, 3), date(2025, 12, 22)
    bars = final_bars(symbols, first, last)
    d1, d2 = date(2025, 11, 20), date(2025, 12, 19)

    def spy_dividends(first_value: float) -> pl.DataFrame:
        return pl.DataFrame(
            {"ticker": ["SPY", "SPY"], "ex_date": [d1, d2], "action": ["dividend"] * 2,
             "value": [first_value, 1.99]},
        )  # fmt: skip

    announced, revised = spy_dividends(1.70), spy_dividends(1.74)
    wh = Warehouse(tmp_path / "daily.duckdb")
    source = SnapshotSource(delivered_on(bars, announced), announced)
    run_pipeline(wh, source, universe, start, previous_session(d1), now=NOW, use_gx=False)
    run_pipeline(wh, source, universe, d1, d1, now=NOW, use_gx=False)
    run_pipeline(wh, source, universe, sessions_between(d1, last)[1], previous_session(d2),
                 now=NOW, use_gx=False)  # fmt: skip
    run_pipeline(wh, source, universe, d2, d2, now=NOW, use_gx=False)
    with wh.connect(read_only=True) as con:
        by = con.execute("SELECT rebased_by, bars_rewritten FROM raw.rebasings").fetchall()
    assert by == [("scale", 0), ("scale", 0)]
    # the source re-delivers the first ex-date with the revised dividend: on the final
    # basis the adj_close before it is what was delivered before it times the new factors
    spy_close = (pl.col("ticker") == "SPY") & (pl.col("session_date") == previous_session(d1))
    before_d1 = (pl.col("ticker") == "SPY") & (pl.col("session_date") < d1)
    prev = bars.filter(spy_close)["close"][0]
    moved = (1 - 1.74 / prev) / (1 - 1.70 / prev)
    bars = bars.with_columns(
        pl.when(before_d1).then(pl.col("adj_close") * moved).otherwise(pl.col("adj_close"))
    )
    fixed = SnapshotSource(delivered_on(bars, revised), revised)
    run_pipeline(wh, fixed, universe, d1, d1, now=NOW, use_gx=False)
    run_pipeline(wh, fixed, universe, last, last, now=NOW, use_gx=False)
    late = SnapshotSource(delivered_on(bars, revised), revised, basis=last)
    run_pipeline(wh, late, universe, first, previous_session(start), now=NOW, use_gx=False)
    with wh.connect(read_only=True) as con:
        logged = con.execute(
            "SELECT ex_date, value, change, rebased_by, bars_rewritten > 0 FROM raw.rebasings"
        ).fetchall()
    assert logged[2:] == [(d1, 1.74, "revised", "rewrite", True)]  # rewritten, on the scale
    assert_bars_and_marts_equal(wh, one_full_build(tmp_path, bars, revised, universe))


@pytest.fixture
def two_etfs():
    symbols = ["SPY", "XLK"]
    universe = parse_universe(
        {
            "instruments": instrument_entries(symbols),
            "universes": {"funds": {"members": symbols, "breadth": False}},
        }
    )
    return universe, final_bars(symbols, date(2025, 11, 3), date(2025, 11, 28))


def test_an_action_announced_for_a_later_session_changes_nothing_until_it_lands(tmp_path, two_etfs):
    universe, bars = two_etfs
    ex = date(2025, 11, 24)
    announced = pl.DataFrame(
        {"ticker": ["XLK"], "ex_date": [ex], "action": ["split"], "value": [2.0]}
    )

    class Announcing(SnapshotSource):
        def fetch(self, symbols, start, end):
            result = super().fetch(symbols, start, end)
            result.actions = announced  # listed with every request, ahead of its ex-date
            return result

    source = Announcing(split_basis(bars, "XLK", ex, 2.0), announced)
    wh = Warehouse(tmp_path / "wh.duckdb")
    run_pipeline(wh, source, universe, date(2025, 11, 3), date(2025, 11, 20), now=NOW, use_gx=False)
    assert read_table(wh, "raw.rebasings").height == 0
    stored = read_table(wh, "raw.corporate_actions")
    assert stored["applied_at"].to_list() == [None]
    run_pipeline(wh, source, universe, date(2025, 11, 21), ex, now=NOW, use_gx=False)
    log = read_table(wh, "raw.rebasings")
    assert log["change"].to_list() == ["applied"]
    stored = read_table(wh, "raw.daily_bars").select(*BAR_KEYS, *VALUES).sort(BAR_KEYS)
    final = bars.filter(pl.col("session_date") <= ex).with_columns(pl.col("volume").cast(pl.Int64))
    assert_frame_equal(
        stored, final.sort(BAR_KEYS), rel_tol=1e-12, abs_tol=0.0, check_column_order=False
    )
    # the bars landed before the ex-date were divided by the split, the later ones came so
    xlk = read_table(wh, "raw.daily_bars").filter(pl.col("ticker") == "XLK")
    assert xlk.filter(pl.col("session_date") <= date(2025, 11, 20))[
        "split_factor"
    ].unique().to_list() == [2.0]


@pytest.mark.parametrize(("kind", "value", "rebased_by"),
                         [("split", 3.0, ["rewrite", "rewrite"]),
                          ("dividend", 0.5, ["scale", "rewrite"])])  # fmt: skip
def test_an_action_withdrawn_by_the_source_is_taken_back(
    tmp_path, two_etfs, kind, value, rebased_by
):
    """A split (or a dividend, applied by scale) delivered once disappears from a
    re-download of its range: the stored history returns exactly to what was delivered."""
    universe, bars = two_etfs
    ex = date(2025, 11, 17)
    split = pl.DataFrame({"ticker": ["XLK"], "ex_date": [ex], "action": [kind], "value": [value]})
    wh = Warehouse(tmp_path / "wh.duckdb")
    run_pipeline(wh, SnapshotSource(lambda b: bars, NO_ACTIONS), universe,
                 date(2025, 11, 3), date(2025, 11, 14), now=NOW, use_gx=False)  # fmt: skip
    original = read_table(wh, "raw.daily_bars").select(*BAR_KEYS, *VALUES).sort(BAR_KEYS)
    run_pipeline(wh, SnapshotSource(lambda b: bars, split), universe, ex, ex, now=NOW,
                 use_gx=False)  # fmt: skip
    assert read_table(wh, "raw.rebasings")["change"].to_list() == ["applied"]
    run_pipeline(wh, SnapshotSource(lambda b: bars, NO_ACTIONS), universe, ex, ex, now=NOW,
                 use_gx=False)  # fmt: skip
    assert read_table(wh, "raw.rebasings")["change"].to_list() == ["applied", "withdrawn"]
    assert read_table(wh, "raw.rebasings")["rebased_by"].to_list() == rebased_by
    assert read_table(wh, "raw.corporate_actions").height == 0
    restored = (
        read_table(wh, "raw.daily_bars")
        .filter(pl.col("session_date") < ex)
        .select(*BAR_KEYS, *VALUES)
        .sort(BAR_KEYS)
    )
    assert_frame_equal(restored, original, rel_tol=1e-12, abs_tol=0.0, check_column_order=False)


def test_a_unit_error_stays_an_error_and_is_not_explained_as_an_action(tmp_path, two_etfs):
    universe, bars = two_etfs
    bad_day = date(2025, 11, 20)
    hundredfold = bars.with_columns(
        *[
            pl.when((pl.col("ticker") == "SPY") & (pl.col("session_date") == bad_day))
            .then(pl.col(c) * 100)
            .otherwise(pl.col(c))
            .alias(c)
            for c in VALUES[:5]
        ]
    )
    wh = Warehouse(tmp_path / "wh.duckdb")
    source = SnapshotSource(lambda b: hundredfold, NO_ACTIONS)
    run_pipeline(wh, source, universe, date(2025, 11, 3), date(2025, 11, 28), now=NOW, use_gx=False)
    step = read_table(wh, "dq.check_results").filter(
        (pl.col("check") == "step_change") & (pl.col("session_date") == bad_day)
    )
    assert step["passed"].to_list() == [False]
    assert step["severity"].to_list() == ["error"]
    assert "unit error" in step["message"][0]
    assert read_table(wh, "raw.rebasings").height == 0


def test_the_last_stored_session_of_a_ticker_is_found_however_old_it_is(tmp_path):
    """Whether an action is effective depends on the ticker's last stored session. A
    landing looks for it in the month before its first session, then over the whole
    history for a ticker without a bar since: XLK stopped in September, SPY did not."""
    from bellwether.landing import _last_sessions

    symbols = ["SPY", "XLK"]
    universe = parse_universe(
        {
            "instruments": instrument_entries(symbols),
            "universes": {"funds": {"members": symbols, "breadth": False}},
        }
    )
    bars = final_bars(symbols, date(2025, 9, 2), date(2025, 11, 28))
    wh = Warehouse(tmp_path / "wh.duckdb")
    run_pipeline(wh, SnapshotSource(lambda b: bars, NO_ACTIONS), universe,
                 date(2025, 9, 2), date(2025, 9, 30), now=NOW, use_gx=False)  # fmt: skip
    spy_only = bars.filter(pl.col("ticker") == "SPY")
    run_pipeline(wh, SnapshotSource(lambda b: spy_only, NO_ACTIONS), universe,
                 date(2025, 10, 1), date(2025, 11, 28), now=NOW, use_gx=False)  # fmt: skip
    with wh.connect(read_only=True) as con:
        found = _last_sessions(con, ["SPY", "XLK", "NONE"], date(2025, 12, 1))
    assert sorted(found.iter_rows()) == [
        ("SPY", date(2025, 11, 28)),
        ("XLK", date(2025, 9, 30)),
    ]


def test_a_dividend_re_basing_reads_every_column_when_a_split_factor_moves_all_the_same(
    tmp_path, two_etfs
):
    """A dividend alone re-bases only adj_close, so only the columns it needs are read for
    its ticker. A stored bar whose split factor is not what the known splits give (here
    set by hand) makes the re-basing move its prices too: every column is then read, and
    the prices written are the stored ones re-based, never the columns left unread. (The
    dividend arrives after its ex-date's bar was landed without it, so the history is
    rewritten, not scaled.)"""
    universe, bars = two_etfs
    wh = Warehouse(tmp_path / "wh.duckdb")
    for first, last in ((date(2025, 11, 3), date(2025, 11, 14)), (date(2025, 11, 17),) * 2):
        run_pipeline(wh, SnapshotSource(lambda b: bars, NO_ACTIONS), universe,
                     first, last, now=NOW, use_gx=False)  # fmt: skip
    odd = date(2025, 11, 5)
    with wh.transaction() as con:
        con.execute(
            "UPDATE raw.daily_bars_stored SET split_factor = 2.0 WHERE ticker = 'XLK' AND session_date = ?",
            [odd],
        )
    before = read_table(wh, "raw.daily_bars").filter(pl.col("ticker") == "XLK").sort("session_date")
    ex = date(2025, 11, 17)
    dividend = pl.DataFrame(
        {"ticker": ["XLK"], "ex_date": [ex], "action": ["dividend"], "value": [0.5]}
    )
    run_pipeline(wh, SnapshotSource(lambda b: bars, dividend), universe, ex, ex, now=NOW,
                 use_gx=False)  # fmt: skip
    after = read_table(wh, "raw.daily_bars").filter(pl.col("ticker") == "XLK").sort("session_date")
    was = before.filter(pl.col("session_date") == odd).row(0, named=True)
    now = after.filter(pl.col("session_date") == odd).row(0, named=True)
    assert now["split_factor"] == 1.0
    for column in ("open", "high", "low", "close"):
        assert now[column] == pytest.approx(was[column] * 2.0, rel=1e-12), column
    assert now["volume"] == round(was["volume"] / 2.0)
    # the other bars before the ex-date moved in adj_close only
    others = (pl.col("session_date") < ex) & (pl.col("session_date") != odd)
    assert_frame_equal(
        after.filter(others).select("session_date", "open", "high", "low", "close", "volume"),
        before.filter(others).select("session_date", "open", "high", "low", "close", "volume"),
    )
    assert (after.filter(others)["adj_close"] < before.filter(others)["adj_close"]).all()


def test_a_dividend_is_not_applied_by_scale_onto_a_last_bar_its_history_does_not_explain(
    tmp_path, two_etfs
):
    """A scale is right only if the stored history is on the basis its actions give; the
    landing checks the one bar it reads, the ticker's last. Its split factor set by hand to
    what no split explains, the next session's dividend re-bases XLK by rewriting its
    history (the bar's prices brought back onto the actions' basis), not by scale."""
    universe, bars = two_etfs
    wh = Warehouse(tmp_path / "wh.duckdb")
    last = date(2025, 11, 14)
    run_pipeline(wh, SnapshotSource(lambda b: bars, NO_ACTIONS), universe,
                 date(2025, 11, 3), last, now=NOW, use_gx=False)  # fmt: skip
    with wh.transaction() as con:
        con.execute(
            "UPDATE raw.daily_bars_stored SET split_factor = 2.0 "
            "WHERE ticker = 'XLK' AND session_date = ?",
            [last],
        )
    ex = date(2025, 11, 17)
    dividend = pl.DataFrame(
        {"ticker": ["XLK"], "ex_date": [ex], "action": ["dividend"], "value": [0.5]}
    )
    run_pipeline(wh, SnapshotSource(lambda b: bars, dividend), universe, ex, ex, now=NOW,
                 use_gx=False)  # fmt: skip
    logged = read_table(wh, "raw.rebasings").select("ticker", "rebased_by").rows()
    assert logged == [("XLK", "rewrite")]
    assert read_table(wh, "raw.adj_close_scale").height == 0
    repaired = read_table(wh, "raw.daily_bars").filter(
        (pl.col("ticker") == "XLK") & (pl.col("session_date") == last)
    )
    assert repaired["split_factor"].to_list() == [1.0]


def test_a_split_after_a_reverse_split_re_bases_the_delivered_volume_not_the_rounded_one(
    tmp_path, two_etfs
):
    """XLK's 1:10 reverse split (2025-11-12) then its 3:1 split (2025-11-19) arrive with
    daily landings. The reverse split rounds each earlier volume to a whole share; the
    3:1 split must scale the delivered volume (``round(delivered * 0.3)``, as a download
    after both gives), not the rounded one (``round(delivered * 0.1) * 3``)."""
    universe, bars = two_etfs
    # the values delivered before both splits: the bundled ones, volumes not multiples of 10
    raw = bars.with_columns(pl.col("volume") + 7)
    reverse, forward = date(2025, 11, 12), date(2025, 11, 19)
    actions = pl.DataFrame(
        {
            "ticker": ["XLK", "XLK"],
            "ex_date": [reverse, forward],
            "action": ["split", "split"],
            "value": [0.1, 3.0],
        }
    )

    def delivered(basis: date) -> pl.DataFrame:
        """A download on ``basis``: each session divided by the splits after it up to
        ``basis``; the source rounds its volumes to whole shares."""
        ratio = pl.lit(1.0)
        for ex, value in ((reverse, 0.1), (forward, 3.0)):
            applies = (pl.col("ticker") == "XLK") & (pl.col("session_date") < ex) & (ex <= basis)
            ratio = ratio * pl.when(applies).then(value).otherwise(1.0)
        return raw.with_columns(
            *[(pl.col(c) / ratio).alias(c) for c in VALUES[:5]],
            (pl.col("volume") * ratio).round(0).alias("volume"),
        )

    wh = Warehouse(tmp_path / "wh.duckdb")
    source = SnapshotSource(delivered, actions)
    run_pipeline(wh, source, universe, date(2025, 11, 3), date(2025, 11, 11), now=NOW,
                 use_gx=False)  # fmt: skip
    run_pipeline(wh, source, universe, reverse, reverse, now=NOW, use_gx=False)
    run_pipeline(wh, source, universe, date(2025, 11, 13), date(2025, 11, 28), now=NOW,
                 use_gx=False)  # fmt: skip

    stored = read_table(wh, "raw.daily_bars").filter(pl.col("ticker") == "XLK")
    early = stored.filter(pl.col("session_date") < reverse).sort("session_date")
    want = raw.filter((pl.col("ticker") == "XLK") & (pl.col("session_date") < reverse)).sort(
        "session_date"
    )
    assert early["volume"].to_list() == (want["volume"] * 0.3).round(0).cast(pl.Int64).to_list()
    # re-basing the stored volume of the 0.1 step would give other numbers
    compounded = ((want["volume"] * 0.1).round(0) * 3).cast(pl.Int64)
    assert (compounded != early["volume"]).all()
    assert early["delivered_volume"].to_list() == want["volume"].cast(pl.Int64).to_list()
    late = stored.filter(pl.col("session_date") >= forward)
    assert late["delivered_volume"].null_count() == late.height
    assert_bars_and_marts_equal(wh, one_full_build(tmp_path, delivered(forward), actions, universe))


def test_a_bar_re_based_before_delivered_volume_was_kept_takes_it_from_its_split_factor():
    """``rebase`` of three stored bars by a 3:1 split: one re-based (by 2) before
    ``delivered_volume`` existed (NULL: its delivered volume is taken as 100 / 2), one whose
    1:10 reverse split kept it (123,457 stored for 1,234,567 delivered) and one as
    delivered. Each new volume is its delivered volume times the new factor 3."""
    from bellwether.rebasing import rebase

    bars = pl.DataFrame(
        {
            "ticker": ["XLK"] * 3,
            "session_date": [date(2025, 11, 3), date(2025, 11, 4), date(2025, 11, 5)],
            "basis_session": [date(2025, 11, 14)] * 3,
            "open": [10.0] * 3, "high": [10.0] * 3, "low": [10.0] * 3,
            "close": [10.0] * 3, "adj_close": [10.0] * 3,
            "volume": [100, 123_457, 1_000],
            "split_factor": [2.0, 0.1, 1.0],
            "dividend_factor": [1.0] * 3,
            "delivered_volume": [None, 1_234_567, None],
        },
        schema_overrides={"delivered_volume": pl.Int64},
    )  # fmt: skip
    split = pl.DataFrame(
        {"ticker": ["XLK"], "ex_date": [date(2025, 11, 20)], "action": ["split"],
         "value": [3.0], "basis_session": [None]},
        schema_overrides={"basis_session": pl.Date},
    )  # fmt: skip
    out = rebase(bars, split)
    assert out["split_factor"].to_list() == [3.0, 3.0, 3.0]
    assert out["volume"].to_list() == [150, 3_703_701, 3_000]
    assert out["delivered_volume"].to_list() == [50, 1_234_567, 1_000]
    # withdrawn again: every bar back to its delivered volume, none kept
    back = rebase(out, split.clear())
    assert back["volume"].to_list() == [50, 1_234_567, 1_000]
    assert back["delivered_volume"].to_list() == [None, None, None]


def _stored_spy(wh: Warehouse, before: date) -> pl.DataFrame:
    """SPY's stored ``marts.daily_returns`` rows before ``before``: where each is stored
    (``rowid``), its stored adj_close and the one every reader sees."""
    with wh.connect(read_only=True) as con:
        return con.sql(
            "SELECT s.rowid AS row_id, s.session_date, s.adj_close AS stored_adj_close, "
            "v.adj_close FROM marts.daily_returns_stored AS s "
            "JOIN marts.daily_returns AS v USING (ticker, session_date) "
            "WHERE s.ticker = 'SPY' AND s.session_date < ? ORDER BY s.session_date",
            params=[before],
        ).pl()


def _dividend_factor(bars: pl.DataFrame, ex_date: date, dividend: float) -> float:
    prev = (pl.col("ticker") == "SPY") & (pl.col("session_date") == previous_session(ex_date))
    return 1 - dividend / bars.filter(prev)["close"][0]


def test_a_dividend_going_ex_on_the_landed_session_re_bases_by_scale_rewriting_nothing(tmp_path):
    """A history downloaded once, then the dividend's ex-date as the next daily run (the
    daily case): every earlier adj_close of SPY moves by ``1 - dividend / previous close``,
    which the landing records as SPY's ``raw.adj_close_scale`` instead of rewriting its
    history. No stored bar or mart row is written or rebuilt; what every reader sees
    (``raw.daily_bars``, ``marts.daily_returns``) equals one build from the later snapshot."""
    first, last = date(2025, 9, 2), date(2025, 12, 19)
    bars, ex_date, delivered, actions = spy_dividend(first, last)
    wh = Warehouse(tmp_path / "daily.duckdb")
    source = SnapshotSource(delivered, actions)
    run_pipeline(wh, source, SPY_UNIVERSE, first, previous_session(ex_date), now=NOW, use_gx=False)
    bars_before = read_table(wh, "raw.daily_bars_stored")
    before = _stored_spy(wh, ex_date)
    built_before = read_table(wh, "marts.rebuild_log").height
    run_pipeline(wh, source, SPY_UNIVERSE, ex_date, ex_date, now=NOW, use_gx=False)
    after = _stored_spy(wh, ex_date)
    factor = _dividend_factor(bars, ex_date, 1.99)
    # stored where they were, as they were; read on the new basis
    assert_frame_equal(after.drop("adj_close"), before.drop("adj_close"))
    assert (after["adj_close"] / before["adj_close"]).round(12).unique().to_list() == [
        round(factor, 12)
    ]
    assert_frame_equal(
        read_table(wh, "raw.daily_bars_stored").filter(pl.col("session_date") < ex_date),
        bars_before,
        check_row_order=False,
    )
    assert read_table(wh, "raw.adj_close_scale").rows() == [
        ("SPY", pytest.approx(factor, rel=1e-12))
    ]
    logged = read_table(wh, "raw.rebasings").row(0, named=True)
    assert (logged["rebased_by"], logged["bars_rewritten"], logged["first_session"]) == (
        "scale",
        0,
        None,
    )
    assert logged["factor"] == pytest.approx(factor, rel=1e-12)
    built = read_table(wh, "marts.rebuild_log")[built_before:]
    assert built["first_session"].unique().to_list() == [ex_date]  # the ex-date's own build
    assert_bars_and_marts_equal(wh, one_full_build(tmp_path, bars, actions, SPY_UNIVERSE))


def test_re_landing_the_sessions_after_a_scaled_dividend_rewrites_nothing(tmp_path):
    """The scheduled run fetches again the sessions before its own. After SPY's dividend
    was applied by scale, its bars landed since (stored divided by the scale, read
    multiplied by it) come back as they were delivered and are not rewritten (their
    ingest id stays), nor is any mart row rebuilt."""
    first, last = date(2025, 11, 3), date(2025, 12, 31)
    _, ex_date, delivered, actions = spy_dividend(first, last)
    wh = Warehouse(tmp_path / "daily.duckdb")
    source = SnapshotSource(delivered, actions)
    run_pipeline(wh, source, SPY_UNIVERSE, first, previous_session(ex_date), now=NOW, use_gx=False)
    run_pipeline(wh, source, SPY_UNIVERSE, ex_date, last, now=NOW, use_gx=False)
    assert read_table(wh, "raw.adj_close_scale")["ticker"].to_list() == ["SPY"]
    stored = read_table(wh, "raw.daily_bars_stored")
    built = read_table(wh, "marts.rebuild_log").height
    run_pipeline(wh, source, SPY_UNIVERSE, ex_date, last, now=NOW, use_gx=False)
    assert_frame_equal(read_table(wh, "raw.daily_bars_stored"), stored, check_row_order=False)
    again = read_table(wh, "marts.rebuild_log")[built:]
    assert again.height > 0 and again["rows_written"].sum() == 0


def test_a_dividend_already_in_a_history_downloaded_after_it_is_not_applied_again(tmp_path):
    """The history up to two sessions before SPY's ex-date is downloaded after the ex-date
    (its adj_close already reflects the dividend, which comes with it, announced for a
    session not landed yet); the daily runs then land the sessions up to the ex-date. The
    dividend becomes effective, but every stored bar before it was delivered on a basis
    after it: nothing moves, by scale or otherwise, and the result equals one build."""
    first, last = date(2025, 11, 3), date(2025, 12, 22)
    bars, ex_date, delivered, actions = spy_dividend(first, last)
    wh = Warehouse(tmp_path / "daily.duckdb")
    late = SnapshotSource(delivered, actions, basis=last)
    before = sessions_between(first, ex_date)[-3]
    run_pipeline(wh, late, SPY_UNIVERSE, first, before, now=NOW, use_gx=False)
    source = SnapshotSource(delivered, actions)
    for day in sessions_between(before, last)[1:]:
        run_pipeline(wh, source, SPY_UNIVERSE, day, day, now=NOW, use_gx=False)
    assert read_table(wh, "raw.adj_close_scale").height == 0
    assert_bars_and_marts_equal(wh, one_full_build(tmp_path, bars, actions, SPY_UNIVERSE))


def test_a_dividend_learned_after_its_ex_date_updates_adj_close_in_place(tmp_path):
    """The ex-date landed without the dividend, which a later re-landing of that session
    delivers: the history before it is rewritten (the bars through the ex-date are stored,
    so no one factor covers them). Every earlier adj_close of SPY changes and nothing else
    of its ``marts.daily_returns`` rows, so they are updated where they are stored (same
    ``rowid``: still in their sessions' row groups, which one-session queries skip by
    min/max) instead of deleted and appended at the end; afterwards every bar and mart row
    equals one build from the later snapshot."""
    first, last = date(2025, 9, 2), date(2025, 12, 19)
    bars, ex_date, delivered, actions = spy_dividend(first, last)
    wh = Warehouse(tmp_path / "daily.duckdb")
    without = SnapshotSource(delivered, NO_ACTIONS)
    run_pipeline(wh, without, SPY_UNIVERSE, first, previous_session(ex_date), now=NOW, use_gx=False)
    run_pipeline(wh, without, SPY_UNIVERSE, ex_date, ex_date, now=NOW, use_gx=False)
    before = _stored_spy(wh, ex_date)
    source = SnapshotSource(delivered, actions)
    run_pipeline(wh, source, SPY_UNIVERSE, ex_date, ex_date, now=NOW, use_gx=False)
    after = _stored_spy(wh, ex_date)
    assert after["row_id"].to_list() == before["row_id"].to_list()
    assert (after["adj_close"] / before["adj_close"]).round(12).unique().to_list() == [
        round(_dividend_factor(bars, ex_date, 1.99), 12)
    ]
    assert read_table(wh, "raw.adj_close_scale").height == 0
    assert read_table(wh, "raw.rebasings")["rebased_by"].to_list() == ["rewrite"]
    rebuilt = read_table(wh, "marts.rebuild_log").filter(
        (pl.col("mart") == "daily_returns") & (pl.col("reason") != "requested")
    )
    assert rebuilt["rows_written"].sum() >= before.height  # updated rows count as written
    assert_bars_and_marts_equal(wh, one_full_build(tmp_path, bars, actions, SPY_UNIVERSE))


def test_a_dividend_on_a_split_day_still_updates_its_rows_in_place(tmp_path):
    """SPY's dividend and the SPDR ETFs' 2:1 splits on the same day, re-based in one run:
    SPY's rows differ only in ``adj_close`` and are updated where they are stored; the ETFs'
    (their ``close`` halves) are deleted and appended. Both equal one build from the
    later snapshot."""
    first, last = date(2025, 9, 2), SPLIT_DAY
    bars = final_bars(["^GSPC", "SPY", *SPLIT_ETFS], first, last)
    delivered_dividend, dividend = with_dividend(bars, "SPY", SPLIT_DAY, 1.99)
    actions = pl.concat([dividend, split_actions()])
    universe = parse_universe(
        {
            "instruments": instrument_entries(["^GSPC", "SPY", *SPLIT_ETFS]),
            "universes": {"sectors": {"members": SPLIT_ETFS, "breadth": True}},
            "relative_pairs": [{"ticker": "SPY", "benchmark": "^GSPC"}],
        }
    )
    source = SnapshotSource(lambda basis: pre_split(delivered_dividend(basis), basis), actions)
    wh = Warehouse(tmp_path / "daily.duckdb")

    def row_ids(ticker: str) -> list[int]:
        with wh.connect(read_only=True) as con:
            return [r for (r,) in con.execute(
                "SELECT rowid FROM marts.daily_returns_stored WHERE ticker = ? AND session_date < ? "
                "ORDER BY session_date", [ticker, SPLIT_DAY],
            ).fetchall()]  # fmt: skip

    run_pipeline(wh, source, universe, first, previous_session(SPLIT_DAY), now=NOW, use_gx=False)
    spy, xlk = row_ids("SPY"), row_ids("XLK")
    assert max(spy) > min(xlk)  # built together, in session order
    run_pipeline(wh, source, universe, SPLIT_DAY, SPLIT_DAY, now=NOW, use_gx=False)
    # the ETFs' rows appended after every stored row (sorted by session, then ticker); SPY's
    # left where they were, all before them (row ids are renumbered when DuckDB drops the
    # deleted rows at its checkpoint, their order is kept)
    assert len(row_ids("SPY")) == len(spy) and len(row_ids("XLK")) == len(xlk)
    assert max(row_ids("SPY")) < min(row_ids("XLK"))
    full = one_full_build(tmp_path, bars, actions, universe)
    assert_bars_and_marts_equal(wh, full)
