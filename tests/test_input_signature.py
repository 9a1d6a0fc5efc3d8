"""Cross-sectional marts are rebuilt where what they read of their inputs changed.

Breadth counts its members' directions and whether each close is above its averages; the
sector ranks read the sector ETFs' returns. A split re-bases every price of its stock's
history, so every row of its technicals changes (the averages are levels), yet no count of
breadth does: the builds of the per-ticker marts queue breadth and the sector ranks only
from the first session on which a row's part in them changed
(``MartSpec.input_signature``, ``bellwether.invalidation.enqueue_input_changes``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from bellwether.invalidation import (
    PENDING_SCHEMA,
    enqueue_input_changes,
    merge_ranges,
    plan_rebuild,
    read_pending,
)
from bellwether.metrics.breadth import member_signature
from bellwether.metrics.sectors import input_signature
from bellwether.pipeline import run_pipeline
from bellwether.registry import MARTS
from bellwether.warehouse import Warehouse
from tests.faults_support import NOW, read_table
from tests.test_any_order import UNIVERSE, FrameSource, assert_equals_one_full_build

NOW_QUEUED = datetime(2026, 2, 2, tzinfo=UTC)


def technicals_rows(close: list[float], sma: list[float | None]) -> pl.DataFrame:
    n = len(close)
    return pl.DataFrame(
        {
            "ticker": ["AAPL"] * n,
            "session_date": [date(2026, 1, 5 + i) for i in range(n)],
            "close": close,
            "sma_20": sma,
            "sma_50": sma,
            "sma_200": [None] * n,
            "high_52w": [max(close)] * n,
            "is_new_high_52w": [False] * n,
            "is_new_low_52w": [None] * n,
        },
        schema_overrides={"sma_200": pl.Float64},
    )


def test_a_split_leaves_a_members_part_in_breadth_as_it_was():
    """Every level halved: the close is still above (or below) each average."""
    before = technicals_rows([101.0, 99.0, 100.0], [100.0, 100.0, None])
    halved = before.with_columns(pl.col("close", "sma_20", "sma_50", "high_52w") / 2)
    assert member_signature("technicals", before).equals(member_signature("technicals", halved))


def test_a_close_that_crosses_its_average_changes_its_part_in_breadth():
    before = technicals_rows([101.0, 99.0, 100.0], [100.0, 100.0, None])
    crossed = before.with_columns(pl.Series("close", [99.5, 99.0, 100.0]))
    a, b = member_signature("technicals", before), member_signature("technicals", crossed)
    assert a.filter(pl.col("session_date") == date(2026, 1, 5))["above_sma_20"].to_list() == [True]
    assert b.filter(pl.col("session_date") == date(2026, 1, 5))["above_sma_20"].to_list() == [False]
    assert a.slice(1).equals(b.slice(1))


def test_a_streaks_row_counts_in_breadth_by_its_direction_only():
    rows = pl.DataFrame(
        {"ticker": ["AAPL"], "session_date": [date(2026, 1, 5)], "direction": [1],
         "up_streak": [3], "down_streak": [0]}
    )  # fmt: skip
    assert member_signature("streaks", rows).columns == ["ticker", "session_date", "direction"]
    assert member_signature("daily_returns", rows).is_empty()


def test_the_sector_ranks_read_returns_not_price_levels():
    rows = pl.DataFrame(
        {"ticker": ["XLK"], "session_date": [date(2026, 1, 5)], "close": [250.0],
         "adj_close": [249.0], "ret_1d": [0.01], "ret_ytd": [0.02]}
    )  # fmt: skip
    assert input_signature("daily_returns", rows).columns == [
        "ticker", "session_date", "ret_1d", "ret_ytd",
    ]  # fmt: skip
    assert input_signature("streaks", rows).is_empty()


def built_warehouse(tmp_path) -> tuple[Warehouse, FrameSource]:
    wh = Warehouse(tmp_path / "wh.duckdb")
    source = FrameSource()
    run_pipeline(wh, source, UNIVERSE, date(2025, 12, 1), date(2026, 1, 30), now=NOW, use_gx=False)
    return wh, source


def queued(wh: Warehouse, mart: str) -> pl.DataFrame:
    with wh.connect() as con:
        return read_pending(con, mart)


def test_only_a_changed_part_of_a_member_queues_breadth_from_its_session(tmp_path):
    """Through ``enqueue_input_changes`` itself: levels scaled queue nothing; a member whose
    direction changed on one session queues breadth from that session; a ticker outside
    every universe, or a session after breadth's last, queues nothing."""
    wh, _ = built_warehouse(tmp_path)
    streaks = read_table(wh, "marts.streaks")
    technicals = read_table(wh, "marts.technicals")
    member = technicals.filter(pl.col("ticker") == "AAPL")
    levels = ["close", "sma_20", "sma_50", "sma_200", "high_52w", "low_52w"]
    with wh.transaction() as con:
        enqueue_input_changes(
            con, "technicals", member, member.with_columns(pl.col(levels) * 0.5), NOW_QUEUED
        )
    assert queued(wh, "breadth").is_empty()

    day = date(2026, 1, 14)
    old = streaks.filter((pl.col("ticker") == "AAPL") & (pl.col("session_date") >= day))
    flipped = old.with_columns(
        pl.when(pl.col("session_date") == day).then(-pl.col("direction"))
        .otherwise(pl.col("direction")).alias("direction")
    )  # fmt: skip
    assert old["direction"][0] != 0  # the flip is a change
    with wh.transaction() as con:
        enqueue_input_changes(con, "streaks", old, flipped, NOW_QUEUED)
    pending = queued(wh, "breadth")
    assert pending.select("ticker", "from_session", "last_changed", "reason").rows() == [
        (None, day, day, "streaks changed")
    ]
    assert queued(wh, "sector_performance").is_empty()  # it does not read streaks

    outsider = old.with_columns(pl.lit("ZZZZ").alias("ticker"))
    later = old.with_columns(pl.col("session_date") + pl.duration(days=400))
    with wh.transaction() as con:
        con.execute("DELETE FROM marts.pending_rebuilds")
        enqueue_input_changes(con, "streaks", outsider, outsider.with_columns(-pl.col("direction")))
        enqueue_input_changes(con, "streaks", later, later.with_columns(-pl.col("direction")))
    assert queued(wh, "breadth").is_empty()


def test_a_restated_member_rebuilds_breadth_from_the_session_it_changed(tmp_path):
    """A member's close restated 5% higher on a December session turns its down day into
    an up day (and the next up day into a down day): breadth is rebuilt from that session
    and the warehouse equals one full build. The sector ranks, which do not read AAPL, are
    not rebuilt; nor is breadth when a restatement leaves every direction and every
    close-above-average as it was (3% lower)."""
    wh, source = built_warehouse(tmp_path)
    day = date(2025, 12, 17)

    def directions() -> list[int]:
        streaks = read_table(wh, "marts.streaks").filter(
            (pl.col("ticker") == "AAPL")
            & pl.col("session_date").is_between(day, date(2025, 12, 18))
        )
        return streaks.sort("session_date")["direction"].to_list()

    def rebuilt_by(factor: float) -> pl.DataFrame:
        """The rebuilds of the run that restates AAPL on ``day`` by ``factor`` (in all)."""
        before = read_table(wh, "marts.rebuild_log").height
        source.restate("AAPL", day, factor)
        run_pipeline(wh, source, UNIVERSE, day, day, now=NOW, use_gx=False)
        log = read_table(wh, "marts.rebuild_log").slice(before)
        return log.filter(pl.col("reason") != "requested")

    assert directions() == [-1, 1]
    log = rebuilt_by(0.97)
    assert directions() == [-1, 1]
    assert log.filter(pl.col("mart") == "technicals")["sessions_changed"].to_list() == [29]
    assert log.filter(pl.col("mart").is_in(["breadth", "sector_performance"])).is_empty()

    log = rebuilt_by(1.05 / 0.97)
    assert directions() == [1, -1]
    breadth = log.filter(pl.col("mart") == "breadth")
    assert breadth.select("first_session", "last_session", "reason").rows() == [
        (day, date(2026, 1, 30), "streaks changed")
    ]
    assert log.filter(pl.col("mart") == "sector_performance").is_empty()
    assert_equals_one_full_build(wh, tmp_path / "full")


def pending_rows(*rows: tuple[date, date, bool | None]) -> pl.DataFrame:
    return pl.DataFrame(
        [("breadth", None, lo, hi, "why", None, NOW_QUEUED, only) for lo, hi, only in rows],
        schema=PENDING_SCHEMA,
        orient="row",
    )


def test_breadth_recounts_the_changed_sessions_when_every_queued_row_names_them():
    """Rows that each name the sessions whose inputs changed (``sessions_only``) give the
    step those ranges, with the requested sessions; one row that does not (a universe
    change, a row queued before ``sessions_only`` existed) makes it recount every session."""
    spec = MARTS["breadth"]
    requested = (date(2026, 1, 30), date(2026, 1, 30))
    exact = pending_rows(
        (date(2025, 12, 17), date(2025, 12, 17), True),
        (date(2025, 12, 18), date(2025, 12, 18), True),
        (date(2026, 1, 5), date(2026, 1, 5), True),
    )
    [step] = plan_rebuild(spec, requested, exact, date(2026, 1, 29))
    assert (step.first, step.last) == (date(2025, 12, 17), date(2026, 1, 30))
    assert step.changed_ranges == (
        (date(2025, 12, 17), date(2025, 12, 18)),
        (date(2026, 1, 5), date(2026, 1, 5)),
        requested,
    )
    mixed = pl.concat([exact, pending_rows((date(2026, 1, 2), date(2026, 1, 2), None))])
    [step] = plan_rebuild(spec, requested, mixed, date(2026, 1, 29))
    assert step.changed_ranges is None
    # per-ticker marts always rebuild the suffix
    [step] = plan_rebuild(MARTS["streaks"], None, exact.with_columns(pl.lit("AAPL").alias("ticker")).with_columns(pl.lit("streaks").alias("mart")), date(2026, 1, 29))  # fmt: skip
    assert step.changed_ranges is None


def test_ranges_merge_where_they_overlap_or_touch():
    d = date
    assert merge_ranges([(d(2026, 1, 5), d(2026, 1, 6)), (d(2026, 1, 2), d(2026, 1, 2)),
                         (d(2026, 1, 7), d(2026, 1, 9)), (d(2026, 1, 8), d(2026, 1, 8))]) == (
        (d(2026, 1, 2), d(2026, 1, 2)), (d(2026, 1, 5), d(2026, 1, 9)),
    )  # fmt: skip


def test_a_recount_keeps_the_stored_counts_of_sessions_whose_members_did_not_change(tmp_path):
    """Only the queued sessions are counted again: a stored count of another session is
    taken as it is (here deliberately falsified, to see it kept), and its A/D line is
    carried on from it; the blocking ``recompute`` check, which recounts the last sessions
    from the members' rows, then catches the falsified one."""
    wh, source = built_warehouse(tmp_path)
    falsified = date(2026, 1, 27)

    def stocks_on(session: date) -> pl.DataFrame:
        rows = read_table(wh, "marts.breadth")
        return rows.filter((pl.col("universe") == "stocks") & (pl.col("session_date") == session))

    counted = stocks_on(falsified)["advancers"][0]
    with wh.transaction() as con:
        con.execute(
            "UPDATE marts.breadth SET advancers = advancers + 1 "
            "WHERE universe = 'stocks' AND session_date = ?",
            [falsified],
        )
    day = date(2025, 12, 17)
    source.restate("AAPL", day, 1.05)  # turns AAPL's down day into an up day
    run_pipeline(wh, source, UNIVERSE, day, day, now=NOW, use_gx=False)
    stocks = read_table(wh, "marts.breadth").filter(pl.col("universe") == "stocks")
    row = stocks.filter(pl.col("session_date") == falsified)
    before = stocks.filter(pl.col("session_date") < falsified)["session_date"].max()
    prev = stocks.filter(pl.col("session_date") == before)
    assert row["advancers"].to_list() == [counted + 1]  # kept, not counted again
    # and carried: the A/D line moved by the falsified count's net advances
    assert row["net_advances"][0] == row["advancers"][0] - row["decliners"][0]
    assert row["ad_line"][0] == prev["ad_line"][0] + row["net_advances"][0]
    recompute = read_table(wh, "dq.check_results").filter(
        (pl.col("asset") == "marts/breadth") & (pl.col("check") == "recompute")
    )
    assert recompute["passed"].to_list() == [False]
    assert "advancers" in recompute["message"][0]


def test_each_signature_reads_only_the_columns_its_mart_declares(tmp_path):
    """A rebuild of some tickers' history reads of its stored rows only the key, the probed
    close and what the marts built on it read (``MartSpec.signature_columns``): every
    signature computed from those columns alone equals the one from whole rows."""
    wh, _ = built_warehouse(tmp_path)
    keys = ["ticker", "session_date"]
    for spec in MARTS.values():
        if spec.input_signature is None:
            continue
        for asset in spec.inputs:
            mart = asset.removeprefix("marts/")
            declared = (spec.signature_columns or {}).get(mart)
            assert declared is not None, f"{spec.name} declares no columns of {mart}"
            rows = read_table(wh, f"marts.{mart}")
            assert rows.height
            whole = spec.input_signature(mart, rows)
            assert whole.equals(spec.input_signature(mart, rows.select(*keys, *declared)))
