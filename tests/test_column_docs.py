"""Column descriptions in the UI come from docs/METRICS.md, the one place they are defined."""

import dagster as dg
import pytest

from orchestration.schemas import _columns, column_docs, parse_column_docs, table_schema

TABLES = [
    "raw.daily_bars",
    "dq.check_results",
    *(
        f"marts.{m}"
        for m in (
            "daily_returns",
            "streaks",
            "technicals",
            "relative_performance",
            "sector_performance",
            "breadth",
            "streak_history",
            "streak_since",
            "relative_history",
            "relative_since",
            "period_bases",
            "close_records",
        )
    ),
]


def test_the_column_tables_are_parsed_with_window_basis_and_units():
    text = """
| table | column | definition / formula | window | price basis | units |
|---|---|---|---|---|---|
| daily_returns | ret_1d | `close / close[1] - 1`. Null at a gap. | 1 session | close | fraction |
| raw.daily_bars | source | the source | - | - | text |

| mart | continued from | stored for that purpose |
|---|---|---|
| streaks | seed row | `up_streak` |
"""
    assert parse_column_docs(text) == {
        "marts.daily_returns": {
            "ret_1d": "`close / close[1] - 1`. Null at a gap. "
            "(window: 1 session; basis: close; units: fraction)"
        },
        "raw.daily_bars": {"source": "the source. (units: text)"},
    }


@pytest.mark.parametrize("table", TABLES)
def test_every_column_of_every_asset_table_is_defined_once_in_metrics_md(table):
    columns = [c for c, _, _ in _columns()[table]]
    docs = column_docs()[table]
    assert sorted(docs) == sorted(columns)  # none missing, none the DDL does not have
    described = {c.name: c.description for c in table_schema(table).columns}
    assert described == docs


def test_the_assets_column_schema_carries_the_descriptions():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    node = graph.get(dg.AssetKey(["marts", "technicals"]))
    schema = node.metadata["dagster/column_schema"]
    rsi = next(c for c in schema.columns if c.name == "rsi_14")
    assert rsi.description.startswith("Wilder's RSI")
    assert "units: 0-100" in rsi.description
