"""The one Markdown table writer: cells as given, None empty, a ``|`` escaped."""

from __future__ import annotations

from bellwether.mdtable import pipe_table


def test_cells_are_kept_as_given_and_a_pipe_cannot_split_a_cell():
    lines = pipe_table(["size", "a|b"], [["20x5s", "1.50"], [None, "x|y"]]).splitlines()
    assert lines[0] == "| size | a\\|b |"
    assert lines[1] == "|---|---|"
    assert lines[2:] == ["| 20x5s | 1.50 |", "|  | x\\|y |"]


def test_a_table_without_rows_is_its_header():
    assert pipe_table(["a", "b"], []).splitlines() == ["| a | b |", "|---|---|"]
