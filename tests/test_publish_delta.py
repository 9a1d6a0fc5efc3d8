"""What a publish copies (bellwether.publish._Delta): whole sessions for every table, a
cross-sectional mart's sessions for its own table, check results for dq.check_results, and
one ticker's rows for a re-basing or a scoped rebuild, with ranges the whole sessions
already cover dropped and one ticker's near ranges merged."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from bellwether.publish import _copy_changes, _Delta, _merged_ranges

D = date


def test_each_table_gets_the_sessions_that_apply_to_it():
    delta = _Delta(
        sessions=frozenset({D(2026, 1, 2)}),
        checked=frozenset({D(2025, 6, 2)}),
        own=frozenset({("marts.breadth", D(2025, 3, 3))}),
    )
    assert delta.sessions_for("raw.daily_bars") == [D(2026, 1, 2)]
    assert delta.sessions_for("dq.check_results") == [D(2025, 6, 2), D(2026, 1, 2)]
    assert delta.sessions_for("marts.breadth") == [D(2025, 3, 3), D(2026, 1, 2)]


def test_a_range_inside_the_whole_sessions_is_dropped_and_others_kept():
    delta = _Delta(
        sessions=frozenset({D(2026, 1, 2)}),
        ranges=frozenset(
            {
                ("AAPL", D(2026, 1, 2), D(2026, 1, 2)),  # the run's own session
                ("XLK", D(2001, 1, 2), D(2026, 1, 2)),
            }
        ),
    )
    assert delta.pruned().ranges == {("XLK", D(2001, 1, 2), D(2026, 1, 2))}


def test_near_ranges_of_one_ticker_merge_far_ones_and_other_tickers_do_not():
    ranges = {
        ("XLK", D(2025, 1, 2), D(2025, 1, 31)),
        ("XLK", D(2025, 3, 3), D(2025, 3, 31)),  # 31 days later: within the widening
        ("XLK", D(2025, 9, 2), D(2025, 9, 30)),
        ("XLE", D(2025, 1, 5), D(2025, 1, 6)),
    }
    assert _merged_ranges(ranges) == [
        ("XLE", D(2025, 1, 5), D(2025, 1, 6)),
        ("XLK", D(2025, 1, 2), D(2025, 3, 31)),
        ("XLK", D(2025, 9, 2), D(2025, 9, 30)),
    ]


#: (writer's rows, generation's rows) of a log table not keyed by session with a list column.
LOG_CHANGES = {
    "appended": ([("a", 1, None), ("b", 2, ["X"])], [("a", 1, None)]),
    "a duplicate added": ([("a", 1, None), ("a", 1, None)], [("a", 1, None)]),
    "a duplicate removed": ([("a", 1, None)], [("a", 1, None), ("a", 1, None)]),
    "one deleted, one added": ([("a", 1, None), ("c", 3, None)], [("a", 1, None), ("b", 2, None)]),
    "NULL to a value": ([("a", 1, ["X"]), ("b", None, None)], [("a", 1, None), ("b", 0, None)]),
    # the same row count and sum of row hashes: DuckDB hashes [] as NULL and [0] as [0, 0]
    "a NULL list to an empty one": ([("a", 1, [])], [("a", 1, None)]),
    "a list to a longer one": ([("a", 1, ["0", "0"])], [("a", 1, ["0"])]),
    "nothing changed": ([("a", 1, ["X"]), ("b", 2, None)], [("b", 2, None), ("a", 1, ["X"])]),
}


@pytest.mark.parametrize("change", sorted(LOG_CHANGES))
def test_a_table_not_keyed_by_session_is_published_as_the_writer_holds_it(change):
    """``_copy_changes`` brings the generation's rows (a multiset) to the writer's, whatever
    changed, including the changes a row hash does not see in a list column."""
    writer, published = LOG_CHANGES[change]
    con = duckdb.connect()
    for catalog, rows in (("src", writer), ("pub", published)):
        con.execute(f"ATTACH ':memory:' AS {catalog}")
        con.execute(f"CREATE SCHEMA {catalog}.marts")
        con.execute(
            f"CREATE TABLE {catalog}.marts.rebuild_log (mart VARCHAR, n INTEGER, tickers VARCHAR[])"
        )
        con.executemany(f"INSERT INTO {catalog}.marts.rebuild_log VALUES (?, ?, ?)", rows)
    cols = [("mart", "VARCHAR", True), ("n", "INTEGER", True), ("tickers", "VARCHAR[]", True)]
    _copy_changes(con, "marts.rebuild_log", cols)

    def rows(catalog: str) -> list[tuple]:
        return sorted(
            con.execute(f"SELECT * FROM {catalog}.marts.rebuild_log").fetchall(), key=repr
        )

    assert rows("pub") == rows("src")
