"""A price is above its moving average only by more than one part in a billion of it.

A moving average is a sum of rounded numbers, so a close equal to its average (a stock that
closed at one price over the whole window) comes out a few units of the 17th digit above or
below it, depending on how the engine summed: polars' running sums put a stock pinned at
$7.77 above its 20-day average on some sessions and below on others. Every "above its
average" figure (``marts.breadth``'s ``pct_above_sma_N``, the queries, the SQL reference,
the pandas baseline) follows one rule: ``price - average > 1e-9 * |average|``
(docs/METRICS.md, "Above an average").
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from bellwether.metrics.breadth import member_signature
from bellwether.metrics.technicals import ABOVE_AVERAGE_REL_TOL, is_above_average
from bellwether.pipeline import run_pipeline
from bellwether.queries import run_query
from bellwether.sqlfiles import load_sql
from bellwether.warehouse import Warehouse
from tests.faults_support import NOW, read_table
from tests.test_any_order import UNIVERSE, FrameSource

PINNED = "RF"  # a member of the breadth universe "banks" (HBAN, RF)
PRICE = 7.77  # 20 closes of 7.77 sum, in polars' running sums, to a mean on either side of it
FIRST, LAST = date(2025, 12, 1), date(2026, 1, 30)

#: (price, average, above): the rule's truth table
CASES = [
    (PRICE, PRICE, False),
    (PRICE, PRICE * (1 - 2e-16), False),  # one rounding below: a tie, not above
    (PRICE, PRICE * (1 + 2e-16), False),
    (PRICE, PRICE - 1e-9, False),  # a billionth of a dollar on $7.77: within the rule
    (PRICE, PRICE * (1 - 2 * ABOVE_AVERAGE_REL_TOL), True),
    (PRICE, 7.7699, True),
    (PRICE, 7.78, False),
    (0.01, 0.01 - 1.7e-18, False),  # the stock pinned at one cent of the 500x10y benchmark
    (PRICE, None, None),
    (None, PRICE, None),
]


@pytest.mark.parametrize(("price", "average", "above"), CASES)
def test_the_rule_in_polars(price, average, above):
    frame = pl.DataFrame({"p": [price], "a": [average]}, schema={"p": pl.Float64, "a": pl.Float64})
    assert frame.select(is_above_average(pl.col("p"), pl.col("a")))[0, 0] is above


def test_the_rule_in_sql_is_the_same(warehouse):
    with warehouse.connect() as con:
        for price, average, above in CASES:
            got = con.execute(
                "SELECT bw.is_above_average($1::DOUBLE, $2::DOUBLE)", [price, average]
            )
            assert got.fetchall()[0][0] is above, (price, average)


def pinned_warehouse(tmp_path) -> Warehouse:
    """The small universe from FIRST to LAST, with RF closing at $7.77 every session (open,
    high, low and adj_close too; no corporate actions)."""
    source = FrameSource()
    pinned = pl.col("ticker") == PINNED
    source.bars = source.bars.with_columns(
        pl.when(pinned).then(PRICE).otherwise(pl.col(c)).alias(c)
        for c in ("open", "high", "low", "close", "adj_close")
    )
    source.actions = source.actions.filter(~pinned)
    wh = Warehouse(tmp_path / "wh.duckdb")
    run_pipeline(wh, source, UNIVERSE, FIRST, LAST, now=NOW, use_gx=False)
    return wh


def test_a_stock_at_one_price_all_window_is_not_above_its_average_in_any_figure(tmp_path):
    wh = pinned_warehouse(tmp_path)
    technicals = read_table(wh, "marts.technicals")
    pinned = technicals.filter((pl.col("ticker") == PINNED) & pl.col("sma_20").is_not_null())
    # the case this is about: averages that equal the close only up to rounding
    assert pinned.height >= 20
    assert pinned.filter(pl.col("sma_20") < PRICE).height > 0
    assert (pinned["sma_20"] - PRICE).abs().max() < 1e-12

    # marts.breadth: the other bank (a real stock) counts by its close against its average
    other = technicals.filter((pl.col("ticker") == "HBAN") & pl.col("sma_20").is_not_null())
    expected = other.select(
        "session_date",
        pl.when(pl.col("close") > pl.col("sma_20")).then(50.0).otherwise(0.0).alias("expected"),
    )
    breadth = read_table(wh, "marts.breadth").filter(pl.col("universe") == "banks")
    joined = breadth.join(expected, on="session_date").join(
        pinned.select("session_date"), on="session_date"
    )
    assert joined.height == pinned.height
    assert joined["pct_above_sma_20"].to_list() == joined["expected"].to_list()
    # what breadth's any-order rule compares reads the same rule
    signature = member_signature("technicals", pinned)
    assert not signature["above_sma_20"].any()

    # the named queries answer the same, on every such session
    with wh.connect(read_only=True) as con:
        for day, stored in joined.select("session_date", "pct_above_sma_20").iter_rows():
            snapshot = run_query(con, "technicals_snapshot", as_of=day, universe="banks")
            assert snapshot.filter(pl.col("ticker") == PINNED)["above_sma_20"].to_list() == [False]
            average = run_query(
                con, "moving_average_on_date", as_of=day, ticker=PINNED, sessions=20
            )
            assert average["above_sma"].to_list() == [False]
            share = run_query(
                con, "breadth_above_average", as_of=day, universe="banks", sessions=20
            )
            assert share["pct_above_sma"].to_list() == [stored], day


def test_the_engines_agree_on_a_stock_at_one_price(tmp_path):
    """polars, the DuckDB-SQL reference and the naive pandas loop (the benchmark's engines)
    count the pinned stock the same way: not above its averages."""
    from bench.cases import CHAINS

    wh = pinned_warehouse(tmp_path)
    with wh.connect(read_only=True) as con:  # as the metrics read them
        bars = con.sql(load_sql("marts/read_bars"), params=[FIRST, LAST, None]).pl()
    shares = {}
    for engine, chain in CHAINS.items():
        breadth = pl.DataFrame(chain(bars, UNIVERSE)["breadth"])
        shares[engine] = (
            breadth.filter(pl.col("universe") == "banks")
            .with_columns(pl.col("session_date").cast(pl.Date))
            .sort("session_date")
            .select("session_date", "pct_above_sma_20")
            .drop_nulls()
        )
    assert shares["polars"].height >= 20
    for engine in ("duckdb_sql", "naive_pandas"):
        assert shares[engine].rows() == shares["polars"].rows(), engine
