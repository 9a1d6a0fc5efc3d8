"""The reference implementation of the metrics in DuckDB SQL (``sql/reference/``).

Each file there is one ``SELECT`` written from the metric definitions (not from the polars
code), over input relations the caller registers; the property tests hold the polars
functions in :mod:`bellwether.metrics` against it, and the benchmarks use it as a second
engine. :func:`run_reference` registers polars frames under the names a file reads and
returns its result as a polars frame.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from bellwether.metrics.panel import session_index
from bellwether.registry import MARTS
from bellwether.sqlfiles import load_sql

#: The relations each reference query reads (see the header comment of each file), from
#: the mart registry.
REFERENCE_INPUTS: dict[str, tuple[str, ...]] = {
    name: spec.reference_inputs for name, spec in MARTS.items()
}


def sessions_frame(start: date, end: date) -> pl.DataFrame:
    """``sessions(session_date, session_idx)``: XNYS sessions in ``[start, end]``."""
    return session_index(start, end)


def run_reference(
    name: str, con: duckdb.DuckDBPyConnection, **relations: pl.DataFrame
) -> pl.DataFrame:
    """Run ``sql/reference/<name>.sql`` on ``con`` over the given frames.

    Every keyword is registered as a relation of that name for the duration of the query
    (``run_reference("streaks", con, bars=bars, sessions=sessions)``); the names the query
    reads are in :data:`REFERENCE_INPUTS`.
    """
    if name not in REFERENCE_INPUTS:
        raise ValueError(f"unknown reference query {name!r}; known: {', '.join(REFERENCE_INPUTS)}")
    missing = [r for r in REFERENCE_INPUTS[name] if r not in relations]
    if missing:
        raise ValueError(f"reference query {name!r} needs the relations {', '.join(missing)}")
    registered = []
    try:
        for rel, frame in relations.items():
            con.register(rel, frame.to_arrow())
            registered.append(rel)
        return con.sql(load_sql(f"reference/{name}")).pl()
    finally:
        for rel in registered:
            con.unregister(rel)


def frame_mismatches(
    left: pl.DataFrame,
    right: pl.DataFrame,
    keys: list[str],
    *,
    rel_tol: float = 1e-9,
    abs_tol: float = 1e-12,
    limit: int = 5,
) -> list[str]:
    """How two results of the same metric differ (an empty list when they agree).

    Rows are matched on ``keys`` (both must have the same key set and columns). Float
    columns agree within ``rel_tol`` of the larger magnitude plus ``abs_tol`` (so an exact
    zero compares with rounding noise), NaN only with NaN; every other column, and where a
    value is null, must be equal exactly. Each message names the column and shows up to ``limit`` rows.
    """
    problems = []
    if sorted(left.columns) != sorted(right.columns):
        return [f"columns differ: {left.columns} vs {right.columns}"]
    joined = left.join(right, on=keys, how="full", suffix="__r", nulls_equal=True)
    key_missing = pl.any_horizontal(
        *[pl.col(k).is_null() for k in keys], *[pl.col(f"{k}__r").is_null() for k in keys]
    )
    unmatched = joined.filter(key_missing)
    if unmatched.height:
        problems.append(
            f"{unmatched.height} rows without a partner, e.g. "
            + "; ".join(
                " / ".join(
                    "(" + ", ".join(str(v) for v in side) + ")"
                    for side in (row[: len(keys)], row[len(keys) :])
                )
                for row in unmatched.select(*keys, *[f"{k}__r" for k in keys]).head(limit).rows()
            )
        )
    joined = joined.filter(~key_missing)
    for col in left.columns:
        if col in keys:
            continue
        a, b = pl.col(col), pl.col(f"{col}__r")
        null_differs = a.is_null() != b.is_null()
        if left[col].dtype.is_float() or right[col].dtype.is_float():
            a, b = a.cast(pl.Float64), b.cast(pl.Float64)
            diff = (a - b).abs()
            near = diff.is_finite() & (
                diff <= rel_tol * pl.max_horizontal(a.abs(), b.abs()) + abs_tol
            )
            same = (a == b) | near | (a.is_nan() & b.is_nan())  # == covers equal infinities
            bad = null_differs | ~same.fill_null(True)
        else:
            bad = null_differs | (a != b).fill_null(False)
        wrong = joined.filter(bad)
        if wrong.height:
            sample = "; ".join(
                f"{', '.join(str(v) for v in row[: len(keys)])}: {row[-2]} vs {row[-1]}"
                for row in wrong.select(*keys, col, f"{col}__r").head(limit).rows()
            )
            problems.append(f"{col}: {wrong.height} rows differ, e.g. {sample}")
    return problems
