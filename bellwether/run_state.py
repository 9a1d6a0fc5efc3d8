"""Keeping the run history (``marts.streak_history``/``streak_since``,
``marts.relative_history``/``relative_since``) with the marts it summarises.

The definitions are in :mod:`bellwether.metrics.run_history` and docs/METRICS.md. Each
build of ``marts.streaks`` or ``marts.relative_performance`` calls :func:`update` in its
own transaction, after writing its rows, for the same sessions and keys: the since rows of
``first..last`` and the run ends of ``previous_session(first)..last`` (the status of the
row before the range depends on the range's first row) are recomputed from the stored
mart rows, continuing from the stored since row of the session before ``first`` and the
last stored run end per (key, kind, length) before it. A key stored before ``first`` but
without a stored row on the previous session (a gap, a withheld row, or a history the
state was never built for) is recomputed from its first stored row.

The any-order rule (:mod:`bellwether.invalidation`) is what keeps this exact: the since
rows after ``last`` depend on the rows of the range, and whenever those change (their
inputs changed) the mart's suffix from the earliest change is rebuilt, and this state with
it, because it is part of the same build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import polars as pl

from bellwether.calendar import previous_session, sessions_between
from bellwether.metrics.run_history import asked_lengths, beyond_recent, run_ends, since_rows
from bellwether.sqlfiles import load_sql

HISTORY_START = date(1900, 1, 1)
#: Run ends this recent are all read; older ones only where a build can need them
#: (:func:`earlier_ends`).
RECENT_DAYS = 366


@dataclass(frozen=True)
class RunHistory:
    """The run history of one mart: ``name`` (tables ``marts.<name>_history`` and
    ``marts.<name>_since``), the ``mart`` it summarises, its key columns ``by`` and its
    kinds (kind -> length column of the mart)."""

    name: str
    mart: str
    by: tuple[str, ...]
    kinds: dict[str, str] = field(hash=False)

    @property
    def tables(self) -> tuple[str, str]:
        return (f"marts.{self.name}_history", f"marts.{self.name}_since")


STREAK_HISTORY = RunHistory("streak", "streaks", ("ticker",), {"up": "up_streak", "down": "down_streak"})  # fmt: skip
RELATIVE_HISTORY = RunHistory(
    "relative",
    "relative_performance",
    ("ticker", "benchmark"),
    {"outperf": "outperf_streak", "underperf": "underperf_streak"},
)


def _q(con: duckdb.DuckDBPyConnection, h: RunHistory, what: str, params: list) -> pl.DataFrame:
    return con.sql(load_sql(f"marts/state_{h.name}_{what}"), params=params).pl()


def _keys(h: RunHistory, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(list(h.by)).unique()


def _next_session(d: date) -> date:
    return sessions_between(d + timedelta(days=1), d + timedelta(days=12))[0]


def recompute(rows: pl.DataFrame, h: RunHistory) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The run ends and since rows of every stored row of ``rows`` (whole histories of
    the mart's keys): what the stored state must equal."""
    by = list(h.by)
    return run_ends(rows, by, h.kinds), since_rows(rows, by, h.kinds, run_ends(rows, by, h.kinds))


def update(
    con: duckdb.DuckDBPyConnection,
    h: RunHistory,
    first: date,
    last: date,
    keys: pl.DataFrame | None,
) -> frozenset[str]:
    """Recompute and replace the run history of ``first..last`` for ``keys`` (a frame of
    the key columns; None: every key), from the stored mart rows (see module doc). Returns
    the tickers (a pair's ``ticker``) whose history was recomputed from their first row,
    having no seed on the session before ``first``: their rows before ``first`` were
    rewritten too."""
    by = list(h.by)
    everyone = keys is None
    scope = keys.select(by) if keys is not None else None
    try:
        prev: date | None = previous_session(first)
    except ValueError:
        prev = None
    lo = prev or first
    after = _next_session(last)
    scope_frame = scope if scope is not None else _empty_keys(h)
    _register_keys(con, scope_frame)
    try:
        window = _q(con, h, "rows", [lo, after, everyone])
        on_prev = window.filter(pl.col("session_date") == lo) if prev else window.clear()
        since_prev = _q(con, h, "since_on", [lo]) if prev else None
        computed = _keys(h, window.filter(pl.col("session_date").is_between(first, last)))
        if since_prev is not None:
            seeded = _keys(h, on_prev).join(_keys(h, since_prev), on=by, how="semi")
        else:
            seeded = computed.clear()
        # keys computed here with no seed on the previous session: from their first row
        full = computed.join(seeded, on=by, how="anti")

        inc_window = window.join(full, on=by, how="anti")
        ends_here = run_ends(inc_window, by, h.kinds).filter(pl.col("run_end").is_between(lo, last))
        inc_rows = inc_window.filter(pl.col("session_date").is_between(first, last))
        earlier = earlier_ends(
            con, h, lo, everyone, asked_lengths(inc_rows, by, h.kinds),
            lo - timedelta(days=RECENT_DAYS),
        )  # fmt: skip
        since = since_rows(
            inc_rows,
            by,
            h.kinds,
            pl.concat([earlier.select(ends_here.columns), ends_here], how="vertical_relaxed"),
            seed_run_start=None
            if since_prev is None
            else since_prev.filter(pl.col("kind").is_not_null()).select(*by, "kind", "run_start"),
            seed_history_start=None
            if since_prev is None
            else since_prev.select(*by, "history_start"),
        )
        since = _fill_run_starts(con, h, since, first)
        _register_keys(con, scope_frame)

        con.execute(load_sql(f"marts/state_{h.name}_delete_since"), [first, last, everyone])
        con.execute(load_sql(f"marts/state_{h.name}_delete_runs"), [lo, last, everyone])
        since_parts, end_parts = [since], [ends_here]
        if full.height:
            _register_keys(con, full)
            rows = _q(con, h, "rows", [HISTORY_START, after, False])
            full_ends = run_ends(rows, by, h.kinds).filter(pl.col("run_end") <= last)
            since_parts.append(
                since_rows(rows.filter(pl.col("session_date") <= last), by, h.kinds, full_ends)
            )
            end_parts.append(full_ends)
            con.execute(
                load_sql(f"marts/state_{h.name}_delete_since"), [HISTORY_START, last, False]
            )
            con.execute(load_sql(f"marts/state_{h.name}_delete_runs"), [HISTORY_START, last, False])
        con.register("incoming_since", pl.concat(since_parts, how="vertical_relaxed").to_arrow())
        con.register("incoming_ends", pl.concat(end_parts, how="vertical_relaxed").to_arrow())
        try:
            con.execute(load_sql(f"marts/state_{h.name}_insert"))
        finally:
            con.unregister("incoming_since")
            con.unregister("incoming_ends")
    finally:
        con.unregister("state_keys")
    return frozenset(full["ticker"].to_list())


def earlier_ends(
    con: duckdb.DuckDBPyConnection,
    h: RunHistory,
    before: date,
    everyone: bool,
    needs: pl.DataFrame,
    recent_from: date,
) -> pl.DataFrame:
    """The stored run ends before ``before`` a build asks about (``needs``:
    :func:`~bellwether.metrics.run_history.asked_lengths` of its rows), of every key when
    ``everyone``, else of the registered ``state_keys``: per key, kind and length, the last
    end from ``recent_from`` on (``state_*_recent_ends``), and of the older ends only the
    last per length of the keys and kinds that ask about a run longer than their longest
    recent one, above that length (``state_*_older_ends``): "the last run at least L long"
    is the same from these as from every stored end, for every L up to what is asked."""
    recent = _q(con, h, "recent_ends", [before, everyone, recent_from])
    short = beyond_recent(recent, needs, list(h.by))
    if short.is_empty():
        return recent
    con.register("state_short", short.to_arrow())
    try:
        older = _q(con, h, "older_ends", [recent_from, short["longest"].min()])
    finally:
        con.unregister("state_short")
    return pl.concat([recent, older], how="vertical_relaxed")


def _empty_keys(h: RunHistory) -> pl.DataFrame:
    return pl.DataFrame(schema={c: pl.String for c in h.by})


def _register_keys(con: duckdb.DuckDBPyConnection, keys: pl.DataFrame) -> None:
    """(Re)register ``keys`` as the frame ``state_keys`` the state statements scope by."""
    con.register("state_keys", keys.to_arrow())


def _fill_run_starts(
    con: duckdb.DuckDBPyConnection, h: RunHistory, since: pl.DataFrame, first: date
) -> pl.DataFrame:
    """Run starts the seed row did not give (a run that continues into the range across a
    withheld row): the last stored session before ``first`` with length 1 of the kind."""
    by = list(h.by)
    missing = since.filter(pl.col("kind").is_not_null() & pl.col("run_start").is_null())
    if missing.is_empty():
        return since
    _register_keys(con, _keys(h, missing))
    found = _q(con, h, "one_before", [first]).rename({"run_start": "_found"})
    return (
        since.join(found, on=[*by, "kind"], how="left")
        .with_columns(pl.col("run_start").fill_null(pl.col("_found")))
        .drop("_found")
    )
