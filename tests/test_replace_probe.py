"""A rebuild of some tickers' history compares its rows with the stored ones by their close
first (``bellwether.marts._stored_changes``, ``PROBE_COLUMNS``).

In session-ordered storage one stock's rows lie in every row group, so reading them whole
costs a scan of every column; a split changes every close of its stock's history, and the
rows whose close changed need nothing more to be known as changed. The rows whose close did
not change are read whole and compared as before: the changed keys are exactly those of a
comparison of whole rows, whatever changed.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from bellwether.marts import IN_PLACE_UPDATES, PROBE_COLUMNS, _signature_columns, _stored_changes
from tests.test_input_signature import built_warehouse

KEYS = ["ticker", "session_date"]
FIRST, LAST = date(2025, 12, 1), date(2026, 1, 30)


def rebuilt(stored: pl.DataFrame, table: str) -> pl.DataFrame:
    """The stored rows of two tickers as a rebuild might give them: some closes scaled (and
    with them every level), one other column moved on rows whose close did not, one row
    gone and one new."""
    other = {"daily_returns": "adj_close", "streaks": "up_streak", "technicals": "rsi_14"}[table]
    sessions = sorted(set(stored["session_date"].to_list()))
    scaled = pl.col("session_date") < sessions[10]
    moved = pl.col("session_date").is_in(sessions[20:23])
    rows = stored.with_columns(
        pl.when(scaled).then(pl.col("close") / 2).otherwise(pl.col("close")).alias("close"),
        pl.when(moved).then(pl.col(other) + 1).otherwise(pl.col(other)).alias(other),
    )
    gone = (pl.col("ticker") == rows["ticker"][0]) & (pl.col("session_date") == sessions[30])
    extra = rows.filter(pl.col("session_date") == sessions[-1]).with_columns(
        pl.lit(date(2026, 2, 2)).alias("session_date")
    )
    return pl.concat([rows.filter(~gone), extra])


@pytest.mark.parametrize("table", sorted(PROBE_COLUMNS))
def test_probing_the_close_finds_the_same_changed_rows_as_comparing_whole_rows(tmp_path, table):
    wh, _ = built_warehouse(tmp_path)
    tickers = ["SPY", "IWM"]
    params = [FIRST, date(2026, 2, 2), tickers]
    with wh.connect() as con:
        stored = con.sql(f"SELECT * FROM marts.{table} WHERE ticker IN ('SPY', 'IWM')").pl()
        rows = rebuilt(stored, table)
        whole = _stored_changes(con, table, params, rows, KEYS, None)
        probed = _stored_changes(con, table, params, rows, KEYS, PROBE_COLUMNS[table])
    assert probed.columns == whole.columns
    assert probed.changed.sort(KEYS).equals(whole.changed.sort(KEYS))
    assert probed.signed.select(KEYS).sort(KEYS).equals(whole.signed.select(KEYS).sort(KEYS))
    # changed: the scaled closes, the moved column, the row gone and the new one
    assert 2 * 10 + 2 * 3 + 2 <= probed.changed.height < stored.height
    # only the rows still stored and rebuilt whose close did not change were read whole
    assert probed.whole.height == stored.height - 2 * 10 - 1
    assert set(probed.signed.columns) == {*KEYS, "close", *_signature_columns(table)}


def test_no_probed_column_is_one_updated_in_place():
    """A row a probe finds changed is deleted and appended: its probed column must not be
    one a build updates in place (those rows are decided from their whole rows)."""
    for table, (columns, _) in IN_PLACE_UPDATES.items():
        assert not set(PROBE_COLUMNS.get(table, ())) & columns
