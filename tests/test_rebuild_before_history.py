"""A rebuild queued from before the first stored bar starts at that bar.

A changed universe queues its marts from the calendar's first session (1990), decades before
a warehouse's first bar. The mart run clips such a step to the first stored bar: nothing is
built, logged or checked for the sessions before it, and the rows equal those of the build
before. A step that starts on or after some stored bar is left as queued; the run then never
scans the bars for their first session (``sql/marts/bar_on_or_before.sql`` reads the first
row group instead).
"""

from __future__ import annotations

from datetime import date

import polars as pl
from polars.testing import assert_frame_equal

from bellwether.calendar import FIRST_SESSION
from bellwether.invalidation import enqueue
from bellwether.pipeline import build_mart_range
from bellwether.registry import MARTS
from tests.faults_support import NOW, read_table
from tests.test_any_order import UNIVERSE
from tests.test_input_signature import built_warehouse as small_warehouse

FIRST_BAR = date(2025, 12, 1)
LAST = date(2026, 1, 30)
MARTS_REBUILT = ["daily_returns", "technicals", "breadth"]


def rebuilds(wh, reason: str) -> pl.DataFrame:
    log = read_table(wh, "marts.rebuild_log").filter(pl.col("reason") == reason)
    return log.select("mart", "first_session", "last_session").sort("mart")


def mart_rows(wh, name: str) -> pl.DataFrame:
    return read_table(wh, f"marts.{name}").sort(list(MARTS[name].key))


def test_a_rebuild_queued_from_1990_starts_at_the_first_stored_bar(tmp_path):
    wh, _ = small_warehouse(tmp_path)
    assert read_table(wh, "raw.daily_bars")["session_date"].min() == FIRST_BAR
    before = {name: mart_rows(wh, name) for name in MARTS_REBUILT}
    with wh.transaction() as con:
        enqueue(con, MARTS_REBUILT, None, FIRST_SESSION, LAST, "universe changed", NOW)
    for name in MARTS_REBUILT:
        build_mart_range(wh, f"marts/{name}", [], UNIVERSE, now=NOW)

    assert rebuilds(wh, "universe changed").rows() == [
        (name, FIRST_BAR, LAST) for name in sorted(MARTS_REBUILT)
    ]
    for name in MARTS_REBUILT:
        assert_frame_equal(mart_rows(wh, name), before[name])
        checked = read_table(wh, "dq.check_results").filter(pl.col("asset") == f"marts/{name}")
        assert checked["session_date"].min() >= FIRST_BAR
    assert read_table(wh, "marts.pending_rebuilds").is_empty()


def test_a_rebuild_queued_inside_the_history_starts_where_it_was_queued(tmp_path):
    wh, _ = small_warehouse(tmp_path)
    day = date(2026, 1, 5)
    with wh.transaction() as con:
        enqueue(con, ["technicals"], "AAPL", day, day, "bar restated", NOW)
    build_mart_range(wh, "marts/technicals", [], UNIVERSE, now=NOW)
    assert rebuilds(wh, "bar restated").rows() == [("technicals", day, LAST)]
