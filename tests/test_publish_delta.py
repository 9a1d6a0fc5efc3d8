"""What a publish copies (bellwether.publish._Delta): whole sessions for every table, a
cross-sectional mart's sessions for its own table, check results for dq.check_results, and
one ticker's rows for a re-basing or a scoped rebuild, with ranges the whole sessions
already cover dropped and one ticker's near ranges merged."""

from __future__ import annotations

from datetime import date

from bellwether.publish import _Delta, _merged_ranges

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
