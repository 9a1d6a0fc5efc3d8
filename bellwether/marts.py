"""Building the marts for a range of sessions: read the lookback, compute, replace.

Each ``build_*`` function reads from the warehouse only what its windows need (the
lookback before the first session, or the stored seed row of the previous session),
calls the pure polars function from :mod:`bellwether.metrics`, and replaces the rows of
sessions ``first..last`` of its table in the same transaction. A build may be *scoped* to
some tickers (``tickers``): it then reads, computes and replaces only their rows (pairs
that involve them, for relative performance); cross-sectional marts (breadth, sector
performance) always compute whole sessions.

Replacing is a diff: rows equal to the stored ones (floats within 1e-12 relative or
1e-15 absolute) are left as they are, so a rebuild that changes nothing rewrites nothing,
and the build reports the sessions whose rows really changed
(:attr:`MartBuild.sessions_changed`).

Seeds make runs exact across partition and run boundaries: streaks, outperformance runs,
RSI averages, the A/D line and McClellan EMAs continue from the stored row of the session
before the range. When that row is missing for an instrument that has a bar there (the
mart was never built for earlier sessions), the build falls back to a full recompute from
the first stored bar. Seeds are right because of the any-order rule
(:mod:`bellwether.invalidation`): whenever the inputs of a session change, every later row
that depends on it is rebuilt before a run reports success, so a stored row is never
older than its inputs.

Quality gate: before writing, rows that stand on bars which failed a blocking (error)
check of ``raw/daily_bars`` are withheld (see :func:`_gate` and ``docs/QUALITY.md``), so
every published figure stands on data that passed every blocking check. A failed warning
withholds nothing: with 1-5% of the stocks missing, or zero volume on an index, the marts
are still built (``tests/test_quality_corpus.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from bellwether import period_state, run_state
from bellwether.calendar import previous_session, sessions_before, sessions_between
from bellwether.metrics.breadth import COUNT_COLUMNS, breadth, breadth_counts, breadth_series
from bellwether.metrics.breadth import MIN_COVERAGE as MIN_BREADTH_COVERAGE
from bellwether.metrics.period_state import month_start
from bellwether.metrics.relative import relative_performance
from bellwether.metrics.returns import LOOKBACK_SESSIONS as RETURNS_LOOKBACK
from bellwether.metrics.returns import daily_returns
from bellwether.metrics.sectors import sector_performance
from bellwether.metrics.streaks import streaks
from bellwether.metrics.technicals import LOOKBACK_SESSIONS as TECHNICALS_LOOKBACK
from bellwether.metrics.technicals import technicals
from bellwether.sqlfiles import load_sql
from bellwether.universe import UniverseConfig
from bellwether.warehouse import Warehouse

#: The session ranges whose inputs changed, for a cross-sectional mart's build (None: all).
ChangedRanges = tuple[tuple[date, date], ...] | None

#: Floats within this relative difference of the stored value count as unchanged.
UNCHANGED_REL_TOL = 1e-12
#: ... or within this absolute difference: a return computed as ``x / y - 1`` carries an
#: absolute rounding error of a few units of 2**-52 whatever its size, so a return near
#: zero recomputed from re-based prices (both scaled by a dividend's factor) moves by more
#: than 1e-12 of itself while it has not changed.
UNCHANGED_ABS_TOL = 1e-15


@dataclass(frozen=True)
class MartBuild:
    """What one build wrote.

    ``rows``: rows of the range after the build (computed and not withheld);
    ``rows_written``: rows inserted or replaced because their values changed;
    ``sessions_changed``: sessions with a row inserted, replaced or deleted."""

    table: str
    first_session: date
    last_session: date
    rows: int
    full_recompute: bool
    preview: pl.DataFrame
    rows_written: int = 0
    sessions_changed: tuple[date, ...] = ()
    tickers: int | None = None
    #: what a run rewrote beyond its requested sessions (``bellwether.pipeline.Rebuilt``)
    rebuilt: tuple = ()
    #: tickers whose kept state (``marts.period_bases``, ``marts.streak_history`` and
    #: ``streak_since``, ``marts.relative_history`` and ``relative_since``,
    #: ``marts.close_records``) the build rewrote from their first row, before
    #: ``first_session``: they had no state to continue from (a gap, a new ticker). Logged in
    #: ``marts.rebuild_log`` so that the publish copies those rows too.
    state_restarted: frozenset[str] = frozenset()

    def metadata(self) -> dict:
        return {
            "dagster/row_count": self.rows,
            "first_session": str(self.first_session),
            "last_session": str(self.last_session),
            "full_recompute": self.full_recompute,
        }


def combine_builds(builds: Sequence[MartBuild]) -> MartBuild:
    """One :class:`MartBuild` for builds of the same table, in order: rows summed,
    ``full_recompute`` if any recomputed, changed sessions united, the preview of the
    last build that covered the latest session."""
    if not builds:
        raise ValueError("no build to combine")
    latest = max(builds, key=lambda b: b.last_session)
    return MartBuild(
        table=builds[0].table,
        first_session=min(b.first_session for b in builds),
        last_session=latest.last_session,
        rows=sum(b.rows for b in builds),
        full_recompute=any(b.full_recompute for b in builds),
        preview=latest.preview,
        rows_written=sum(b.rows_written for b in builds),
        sessions_changed=tuple(sorted({d for b in builds for d in b.sessions_changed})),
        tickers=None
        if any(b.tickers is None for b in builds)
        else max(b.tickers or 0 for b in builds),
        state_restarted=frozenset().union(*(b.state_restarted for b in builds)),
    )


def _query(con: duckdb.DuckDBPyConnection, name: str, params: Sequence) -> pl.DataFrame:
    return con.sql(load_sql(name), params=list(params)).pl()


def _gate(
    con: duckdb.DuckDBPyConnection, rows: pl.DataFrame, first: date, last: date, scope: str
) -> pl.DataFrame:
    """Withhold what failed blocking checks (``dq.check_results`` of raw/daily_bars).

    ``scope`` ``ticker``: drop the (session, ticker) rows named by a failed blocking row
    check and whole sessions that failed an integrity check; ``pair``: the same when either
    the ticker or the benchmark is withheld; ``session``: drop every session with any
    failed blocking check (cross-sectional marts).
    """
    sessions = _query(con, "dq/blocked_sessions", [first, last])
    if scope == "session":
        return rows.join(sessions.select("session_date"), on="session_date", how="anti")
    bad = _query(con, "dq/blocked_rows", [first, last])
    rows = rows.join(
        sessions.filter(pl.col("integrity")).select("session_date"), on="session_date", how="anti"
    )
    rows = rows.join(bad, on=["session_date", "ticker"], how="anti")
    if scope == "pair":
        rows = rows.join(
            bad.rename({"ticker": "benchmark"}), on=["session_date", "benchmark"], how="anti"
        )
    return rows


def _column_differs(col: str, dtype: pl.DataType) -> pl.Expr:
    """``col`` of the old row and ``col__new`` of the new one differ: a null on one side
    only, a float beyond both :data:`UNCHANGED_REL_TOL` relative and
    :data:`UNCHANGED_ABS_TOL` absolute, any other value unequal."""
    a, b = pl.col(col), pl.col(f"{col}__new")
    nulls = a.is_null() != b.is_null()
    if dtype.is_float():
        tol = pl.max_horizontal(
            UNCHANGED_REL_TOL * pl.max_horizontal(a.abs(), b.abs()), pl.lit(UNCHANGED_ABS_TOL)
        )
        unequal = ~((a == b) | ((a - b).abs() <= tol) | (a.is_nan() & b.is_nan()))
    else:
        unequal = a != b
    return nulls | unequal.fill_null(False)


def changed_keys(old: pl.DataFrame, new: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Keys whose row differs between ``old`` and ``new`` (present in one only, a null that
    differs, a float beyond the tolerances of :func:`_column_differs`, any other value
    unequal)."""
    if old.is_empty():
        return new.select(keys)
    if new.is_empty():
        return old.select(keys)
    joined = old.with_columns(pl.lit(True).alias("__old_present")).join(
        new.with_columns(pl.lit(True).alias("__new_present")),
        on=keys,
        how="full",
        suffix="__new",
        coalesce=True,
    )
    differs = [pl.col("__old_present").is_null() | pl.col("__new_present").is_null()]
    for col in new.columns:
        if col in keys or col.startswith("__"):
            continue
        differs.append(_column_differs(col, new[col].dtype))
    return joined.filter(pl.any_horizontal(differs)).select(keys)


def only_these_differ(
    old: pl.DataFrame, new: pl.DataFrame, keys: list[str], columns: frozenset[str]
) -> pl.DataFrame:
    """Keys of rows stored in ``old`` and rebuilt in ``new`` that differ in no column
    outside ``columns`` (same tolerance as :func:`changed_keys`)."""
    joined = old.join(new, on=keys, how="inner", suffix="__new")
    others = [c for c in new.columns if c not in keys and c not in columns]
    if others:
        joined = joined.filter(~pl.any_horizontal(_column_differs(c, new[c].dtype) for c in others))
    return joined.select(keys)


#: Columns a build updates in place, per mart table, and the statement that sets them
#: (``sql/marts/update_<table>_<columns>.sql``): a dividend re-bases a ticker's
#: ``adj_close`` over its whole history and nothing else of ``marts.daily_returns`` (its
#: total returns are ratios). Deleted and appended, those rows would land in new row groups
#: spanning every session, which every one-session query then reads; updated, they stay in
#: their sessions' row groups. A row whose other columns changed too (a split's ``close``)
#: is deleted and appended.
IN_PLACE_UPDATES: dict[str, tuple[frozenset[str], str]] = {
    "daily_returns": (frozenset({"adj_close"}), "marts/update_daily_returns_adj_close"),
}


#: The columns a rebuild of some tickers' history reads first of the stored rows it may
#: replace, per mart table (with the key and what the marts built on it read of them):
#: a split scales every close of its stock's history, so each such row differs there and
#: its other columns need not be read to know it changed. In session-ordered storage one
#: stock's rows lie in every row group; reading all 24 columns of its 6,286
#: ``marts.technicals`` rows took 0.62 s at 3000x25y, its close and key 0.05 s. Rows whose
#: probed columns did not change are read whole and compared as before.
PROBE_COLUMNS: dict[str, tuple[str, ...]] = {
    "daily_returns": ("close",),
    "streaks": ("close",),
    "technicals": ("close",),
}


def _signature_columns(table: str) -> set[str]:
    """The columns of ``marts.<table>`` rows the marts built on it read
    (:attr:`~bellwether.registry.MartSpec.signature_columns`)."""
    from bellwether.registry import MARTS

    return {
        c
        for spec in MARTS.values()
        for c in (spec.signature_columns or {}).get(table, ())
        if f"marts/{table}" in spec.inputs
    }


@dataclass(frozen=True)
class _Stored:
    """What a build compares its rows with (:func:`_stored_changes`)."""

    columns: list[str]  # the table's columns, in order
    changed: pl.DataFrame  # keys stored or rebuilt whose row differs
    whole: pl.DataFrame  # stored rows read with every column (those a probe could not decide)
    signed: pl.DataFrame  # every stored row read: its key and what the marts built on it read


def _stored_changes(
    con: duckdb.DuckDBPyConnection,
    table: str,
    params: list,
    rows: pl.DataFrame,
    keys: list[str],
    probe: tuple[str, ...] | None,
    pairs: pl.DataFrame | None = None,
) -> _Stored:
    """The stored rows of ``marts/rows_<table>`` (``params``; of the ``ticker, benchmark``
    ``pairs`` only, when given) compared with ``rows``. With ``probe``: their key, the
    probed and the signature columns first; a row whose probed columns differ (or that is on
    one side only) is changed; only the others are read whole (:data:`PROBE_COLUMNS`). The
    changed keys are those of :func:`changed_keys` over every column either way."""
    if probe is None:
        old = _query(con, f"marts/rows_{table}", params)
        if pairs is not None:
            old = old.join(pairs, on=["ticker", "benchmark"], how="semi")
        columns = old.columns or rows.columns
        changed = changed_keys(old, rows.select(columns), keys)
        return _Stored(columns, changed, old, old)
    relation = con.sql(load_sql(f"marts/rows_{table}"), params=params)
    columns = relation.columns
    wanted = [*keys, *probe, *sorted(_signature_columns(table) - set(keys) - set(probe))]
    narrow = relation.select(*wanted).pl()
    rows = rows.select(columns)
    certain = changed_keys(narrow.select(*keys, *probe), rows.select(*keys, *probe), keys)
    undecided = narrow.select(keys).join(certain, on=keys, how="anti")
    whole = narrow.clear()
    changed = certain
    if undecided.height:
        first, last = undecided["session_date"].min(), undecided["session_date"].max()
        whole = _query(con, f"marts/rows_{table}", [first, last, *params[2:]]).join(
            undecided, on=keys, how="semi"
        )
        more = changed_keys(whole, rows.join(undecided, on=keys, how="semi"), keys)
        changed = pl.concat([certain, more])
    return _Stored(columns, changed, whole, narrow)


def _replace(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: pl.DataFrame,
    first: date,
    last: date,
    keys: list[str],
    scope: str = "ticker",
    tickers: frozenset[str] | None = None,
    pairs: Sequence[tuple[str, str]] | None = None,
) -> tuple[int, int, tuple[date, ...]]:
    """Replace the rows of ``first..last`` (of ``tickers`` when scoped) with ``rows``,
    writing only what changed. Returns (rows kept, rows written, sessions changed).

    A build scoped to some tickers reads their stored rows' probed columns first
    (:data:`PROBE_COLUMNS`, :func:`_stored_changes`)."""
    rows = _gate(
        con, rows.filter(pl.col("session_date").is_between(first, last)), first, last, scope
    )
    scoped = None if tickers is None or scope == "session" else sorted(tickers)
    params = [first, last] if scope == "session" else [first, last, scoped]
    probe = PROBE_COLUMNS.get(table) if scope == "ticker" and scoped is not None else None
    frame = None
    if scope == "pair" and scoped is not None:
        frame = pl.DataFrame(
            list(pairs or []), schema={"ticker": pl.String, "benchmark": pl.String}, orient="row"
        )
    stored = _stored_changes(con, table, params, rows, keys, probe, frame)
    rows = rows.select(stored.columns)
    changed = stored.changed
    deletes = changed.join(stored.signed.select(keys), on=keys, how="semi")
    inserts = rows.join(changed, on=keys, how="semi")
    updated = 0
    if table in IN_PLACE_UPDATES and deletes.height and stored.whole.height:
        # rows stored and rebuilt that differ only in the columns updated in place stay
        # where they are; the rest is deleted and appended (a row a probe found changed
        # differs outside them: PROBE_COLUMNS holds none of them)
        columns, statement = IN_PLACE_UPDATES[table]
        in_place = only_these_differ(
            stored.whole.join(deletes, on=keys, how="semi"), inserts, keys, columns
        )
        if in_place.height:
            con.register("incoming_updates", inserts.join(in_place, on=keys, how="semi").to_arrow())
            con.execute(load_sql(statement))
            con.unregister("incoming_updates")
            inserts = inserts.join(in_place, on=keys, how="anti")
            deletes = deletes.join(in_place, on=keys, how="anti")
            updated = in_place.height
    # Stored in session order, like raw.daily_bars: DuckDB's per-row-group min/max then lets
    # a query on a session (seeds, gates, checks, the named queries) skip the rest of the
    # history; rows in ticker order made every such read a scan of the whole table.
    order = ["session_date", *[c for c in ("universe", "ticker", "benchmark") if c in rows.columns]]
    con.register("incoming_deletes", deletes.to_arrow())
    con.register("incoming_rows", inserts.sort(order).to_arrow())
    con.execute(load_sql(f"marts/replace_{table}"))
    con.unregister("incoming_rows")
    con.unregister("incoming_deletes")
    if not changed.is_empty() and scope == "ticker":
        from bellwether.invalidation import enqueue_input_changes

        # the marts built on this one, where what they read of it changed (same transaction)
        enqueue_input_changes(
            con,
            table,
            stored.signed.join(changed, on=keys, how="semi"),
            rows.join(changed, on=keys, how="semi"),
        )
    sessions = tuple(sorted(set(changed["session_date"].to_list())))
    return rows.height, inserts.height + updated, sessions


def last_built_session(con: duckdb.DuckDBPyConnection, mart: str) -> date | None:
    """The last session stored in ``marts.<mart>`` (None when it is empty); reads that
    table only (``sql/marts/last_built_session.sql``)."""
    return con.execute(load_sql("marts/last_built_session"), {"mart": mart}).fetchall()[0][0]


def bar_on_or_before(con: duckdb.DuckDBPyConnection, session: date) -> bool:
    """Whether a bar of any ticker is stored on or before ``session``."""
    return bool(con.execute(load_sql("marts/bar_on_or_before"), [session]).fetchall()[0][0])


def _first_bar(
    con: duckdb.DuckDBPyConnection, tickers: frozenset[str] | None = None
) -> date | None:
    """The first stored session of any of ``tickers`` (of any ticker when None)."""
    scoped = None if tickers is None else sorted(tickers)
    return con.execute(load_sql("marts/first_bar_session"), [scoped]).fetchall()[0][0]


def _scoped(tickers: frozenset[str] | None) -> list[str] | None:
    return None if tickers is None else sorted(tickers)


def _seed_covers(
    con: duckdb.DuckDBPyConnection, table: str, prev: date, tickers: frozenset[str] | None
) -> tuple[pl.DataFrame, bool]:
    """Stored seed rows of ``prev`` and whether they cover every ticker (of the scope) with
    a bar there."""
    seed = _query(con, f"marts/seed_{table}", [prev])
    have = set(_query(con, "marts/bars_on_session", [prev])["ticker"].to_list())
    if tickers is not None:
        have &= tickers
        seed = seed.filter(pl.col("ticker").is_in(sorted(tickers)))
    return seed, have <= set(seed["ticker"].to_list())


def _ticker_keys(tickers: frozenset[str] | None) -> pl.DataFrame | None:
    """The run-history scope of a build scoped to ``tickers`` (None: every key)."""
    if tickers is None:
        return None
    return pl.DataFrame({"ticker": sorted(tickers)}, schema={"ticker": pl.String})


def _pair_keys(pairs: Sequence[tuple[str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        list(pairs), schema={"ticker": pl.String, "benchmark": pl.String}, orient="row"
    )


def _preview(rows: pl.DataFrame, last: date) -> pl.DataFrame:
    return rows.filter(pl.col("session_date") == last)


def _build(
    table: str,
    first: date,
    last: date,
    rows: int,
    full: bool,
    preview: pl.DataFrame,
    written: tuple[int, int, tuple[date, ...]] | None = None,
    tickers: frozenset[str] | None = None,
    state_restarted: frozenset[str] = frozenset(),
) -> MartBuild:
    kept, n_written, sessions = written or (rows, 0, ())
    return MartBuild(
        f"marts.{table}", first, last, kept, full, preview, n_written, sessions,
        None if tickers is None else len(tickers), state_restarted=state_restarted,
    )  # fmt: skip


KEYS_TICKER = ["ticker", "session_date"]
KEYS_PAIR = ["ticker", "benchmark", "session_date"]


def _compute_daily_returns(
    con: duckdb.DuckDBPyConnection, first: date, last: date, tickers: frozenset[str] | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Returns of ``first..last`` (and the lookback's) from the bars of the lookback:
    (rows, bars read). Never a full recompute: every window fits in the lookback, and a
    period base older than it (a gap longer than the lookback) is the ticker's stored base
    of the bars' first month (see :func:`_returns_seed`)."""
    start = month_start(sessions_before(first, RETURNS_LOOKBACK))
    bars = _query(con, "marts/read_bars", [start, last, _scoped(tickers)])
    # a ticker with a bar on the first session read has every base of first..last among
    # the bars read; one whose bars start later (a listing, or a gap across the lookback)
    # may have its base before them
    opening = sessions_between(start, last)[0]
    late = (
        bars.group_by("ticker")
        .agg(pl.col("session_date").min())
        .filter(pl.col("session_date") > opening)["ticker"]
        .sort()
        .to_list()
    )
    seed = _returns_seed(con, start, late) if late else None
    return daily_returns(bars, seed), bars


def _returns_seed(con: duckdb.DuckDBPyConnection, start: date, tickers: list[str]) -> pl.DataFrame:
    """The last stored bar before ``start`` (a month's first day) of each of ``tickers``
    that has one: from its stored period base of that month (an indexed read), or, where
    no base of that month was ever built, from the bars before it (a scan)."""
    if _query(con, "marts/period_bases_built", [start])["built"][0]:
        return _query(con, "marts/read_period_base_bars", [start, tickers])
    return _query(con, "marts/read_last_bars_before", [start, tickers])


def build_daily_returns(
    wh: Warehouse, first: date, last: date, tickers: frozenset[str] | None = None
) -> MartBuild:
    with wh.transaction() as con:
        rows, bars = _compute_daily_returns(con, first, last, tickers)
        out = _replace(con, "daily_returns", rows, first, last, KEYS_TICKER, tickers=tickers)
        restarted = period_state.update_period_bases(con, first, last, _scoped(tickers), bars)
    return _build(
        "daily_returns", first, last, 0, False, _preview(rows, last), out, tickers, restarted
    )


def _compute_streaks(
    con: duckdb.DuckDBPyConnection, first: date, last: date, tickers: frozenset[str] | None
) -> tuple[pl.DataFrame, bool]:
    """Streaks of ``first..last`` continued from the stored rows of the session before, or
    from each ticker's first bar when they do not cover it: (rows, seeded)."""
    prev = previous_session(first)
    seed, covered = _seed_covers(con, "streaks", prev, tickers)
    start = prev if covered else (_first_bar(con, tickers) or first)
    bars = _query(con, "marts/read_bars", [start, last, _scoped(tickers)])
    return streaks(bars, seed=seed if covered else None), covered


def build_streaks(
    wh: Warehouse, first: date, last: date, tickers: frozenset[str] | None = None
) -> MartBuild:
    with wh.transaction() as con:
        rows, covered = _compute_streaks(con, first, last, tickers)
        out = _replace(con, "streaks", rows, first, last, KEYS_TICKER, tickers=tickers)
        restarted = run_state.update(
            con, run_state.STREAK_HISTORY, first, last, _ticker_keys(tickers)
        )
    return _build(
        "streaks", first, last, 0, not covered, _preview(rows, last), out, tickers, restarted
    )


def _compute_technicals(
    con: duckdb.DuckDBPyConnection, first: date, last: date, tickers: frozenset[str] | None
) -> tuple[pl.DataFrame, bool]:
    """Technicals of ``first..last`` from the lookback's bars, Wilder's averages, the count
    of stored bars and the record closes continued from the stored seed row, or from each
    ticker's first bar when a ticker with older bars has no seed: (rows, seeded)."""
    prev = previous_session(first)
    start = sessions_before(first, TECHNICALS_LOOKBACK)
    bars = _query(con, "marts/read_bars", [start, last, _scoped(tickers)])
    # Wilder's averages continue from each ticker's last stored row in the lookback
    # (on `prev`, or earlier when it had no bar or a withheld row there): that row is
    # inside `bars`, so the recursion from it equals the one from the first bar.
    rsi = _query(con, "marts/seed_technicals_rsi", [start, prev, _scoped(tickers)])
    # The seed row also carries the record closes (the highest close to date and the
    # year's count), so a seeded ticker needs no bar before the lookback. A ticker computed
    # here without a complete seed row: if it has bars before the lookback (the mart was
    # never built there, a gap longer than the lookback, a warehouse from before these
    # columns) Wilder's averages, its count of stored bars and its records would restart:
    # recompute from the first bar. Only those tickers' older bars are read.
    seeded = rsi.filter(
        pl.col("bars_to_date").is_not_null()
        & pl.col("max_close_to_date").is_not_null()
        & pl.col("record_closes_ytd").is_not_null()
    )
    computed = set(bars.filter(pl.col("session_date") >= first)["ticker"].to_list())
    need = sorted(computed - set(seeded["ticker"].to_list()))
    older = _query(con, "marts/tickers_with_bars_before", [start, need]) if need else None
    covered = older is None or older.is_empty()
    seed = None
    if not covered:
        start = _first_bar(con, tickers) or first
        bars = _query(con, "marts/read_bars", [start, last, _scoped(tickers)])
    else:
        seed = seeded.select(
            "ticker",
            pl.col("session_date").alias("seed_session"),
            "rsi_avg_gain_14",
            "rsi_avg_loss_14",
            "bars_to_date",
            "max_close_to_date",
            "record_closes_ytd",
        )
    return technicals(bars, seed=seed), covered


def build_technicals(
    wh: Warehouse, first: date, last: date, tickers: frozenset[str] | None = None
) -> MartBuild:
    with wh.transaction() as con:
        rows, covered = _compute_technicals(con, first, last, tickers)
        out = _replace(con, "technicals", rows, first, last, KEYS_TICKER, tickers=tickers)
        restarted = period_state.update_close_records(con, first, last, _scoped(tickers))
    return _build(
        "technicals", first, last, 0, not covered, _preview(rows, last), out, tickers, restarted
    )


def affected_pairs(
    pairs: Sequence[tuple[str, str]], tickers: frozenset[str] | None
) -> list[tuple[str, str]]:
    """The configured pairs whose ticker or benchmark is in ``tickers`` (all when None)."""
    if tickers is None:
        return list(pairs)
    return [(t, b) for t, b in pairs if t in tickers or b in tickers]


def _compute_relative_performance(
    con: duckdb.DuckDBPyConnection,
    first: date,
    last: date,
    pairs: Sequence[tuple[str, str]],
    legs: frozenset[str] | None,
) -> tuple[pl.DataFrame, bool]:
    """Relative performance of ``pairs`` on ``first..last``, runs continued from the stored
    rows of the session before, or from the first bar of the legs when they do not cover
    every pair with a return there: (rows, seeded)."""
    prev = previous_session(first)
    seed = _query(con, "marts/seed_relative_performance", [prev])
    returns_prev = _query(con, "marts/read_returns", [prev, prev, _scoped(legs)])
    have = {(t, b) for t, b in pairs if t in set(returns_prev["ticker"].to_list())}
    covered = have <= set(zip(seed["ticker"].to_list(), seed["benchmark"].to_list(), strict=True))
    start = prev if covered else (_first_bar(con, legs) or first)
    returns = _query(con, "marts/read_returns", [start, last, _scoped(legs)])
    return relative_performance(returns, pairs, seed=seed if covered else None), covered


def build_relative_performance(
    wh: Warehouse,
    first: date,
    last: date,
    universe: UniverseConfig,
    tickers: frozenset[str] | None = None,
    changed: ChangedRanges = None,
) -> MartBuild:
    """Pairs that involve ``tickers`` (every pair when None); ``changed`` is accepted and
    ignored (a pair's outperformance runs carry through every session)."""
    pairs = affected_pairs(universe.relative_pairs, tickers)
    legs = None if tickers is None else frozenset(x for pair in pairs for x in pair)
    with wh.transaction() as con:
        rows, covered = _compute_relative_performance(con, first, last, pairs, legs)
        out = _replace(
            con,
            "relative_performance",
            rows,
            first,
            last,
            KEYS_PAIR,
            scope="pair",
            tickers=legs,
            pairs=pairs,
        )
        pair_keys = None if legs is None else _pair_keys(pairs)
        restarted = run_state.update(con, run_state.RELATIVE_HISTORY, first, last, pair_keys)
    return _build(
        "relative_performance", first, last, 0, not covered, _preview(rows, last), out, legs,
        restarted,
    )  # fmt: skip


def _sector_etfs(universe: UniverseConfig) -> pl.DataFrame:
    """``ticker, sector`` of the configured sector ETFs."""
    return pl.DataFrame(
        [
            (i.symbol, i.sector)
            for i in universe.instruments.values()
            if i.kind == "etf" and i.sector
        ],
        schema={"ticker": pl.String, "sector": pl.String},
        orient="row",
    )


def build_sector_performance(
    wh: Warehouse,
    first: date,
    last: date,
    universe: UniverseConfig,
    tickers: frozenset[str] | None = None,
    changed: ChangedRanges = None,
) -> MartBuild:
    """Whole sessions (ranks compare every sector ETF); ``tickers`` and ``changed`` are
    accepted and ignored (a session's ranks are cheap to recount)."""
    sector_etfs = _sector_etfs(universe)
    with wh.transaction() as con:
        returns = _query(con, "marts/read_returns", [first, last, sector_etfs["ticker"].to_list()])
        rows = sector_performance(returns, sector_etfs)
        out = _replace(
            con,
            "sector_performance",
            rows,
            first,
            last,
            ["session_date", "ticker"],
            scope="session",
        )
    return _build("sector_performance", first, last, 0, False, _preview(rows, last), out)


def _breadth_seed(
    con: duckdb.DuckDBPyConnection, first: date, names: list[str]
) -> pl.DataFrame | None:
    """Each universe's stored breadth row to continue from at ``first``, or None when one
    build over the stored history would continue from something not stored: a session
    after a universe's last stored row on which breadth was computed and then withheld by
    the quality gate (its net advances count in the A/D line and the EMAs). A session
    without enough members (no row at all, e.g. no bars) is skipped, as one build skips it."""
    seed = _query(con, "marts/seed_breadth", [first]).filter(pl.col("universe").is_in(names))
    every_seeded = set(names) <= set(seed["universe"].to_list())
    lower = seed["session_date"].min() if every_seeded else date(1900, 1, 1)
    computed = _query(
        con, "marts/last_computed_breadth_sessions", [lower, first, names, MIN_BREADTH_COVERAGE]
    )
    stored = dict(zip(seed["universe"].to_list(), seed["session_date"].to_list(), strict=True))
    for universe_name, last_computed in computed.iter_rows():
        if stored.get(universe_name) != last_computed:
            return None
    return seed


def _breadth_recounted(
    con: duckdb.DuckDBPyConnection,
    first: date,
    last: date,
    names: list[str],
    sizes: dict[str, int],
    seed: pl.DataFrame,
    changed: tuple[tuple[date, date], ...],
) -> pl.DataFrame:
    """Breadth of ``first..last`` continued from ``seed``, recounting only the sessions in
    ``changed`` and those with no stored row (gate-withheld sessions, whose net advances
    count in the A/D line, and sessions never built): every other session's counts are its
    stored row's, exact because its members' rows did not change (they would have queued
    it) and the stored row was counted from them. The A/D line and EMAs are then carried
    over every session from the seed, as one build would."""
    stored = _query(con, "marts/rows_breadth", [first, last]).filter(
        pl.col("universe").is_in(names)
    )
    recount = {d for lo, hi in changed for d in sessions_between(max(lo, first), min(hi, last))}
    recount |= set(sessions_between(first, last)) - set(stored["session_date"].to_list())
    counted = pl.DataFrame(schema=stored.select(COUNT_COLUMNS).schema)
    if recount:
        members = _query(
            con,
            "marts/read_breadth_inputs",
            [min(recount), max(recount), names, sorted(recount)],
        )
        counted = breadth_counts(members, sizes)
    kept = stored.filter(~pl.col("session_date").is_in(sorted(recount))).select(COUNT_COLUMNS)
    return breadth_series(pl.concat([kept, counted], how="vertical_relaxed"), seed)


def build_breadth(
    wh: Warehouse,
    first: date,
    last: date,
    universe: UniverseConfig,
    tickers: frozenset[str] | None = None,
    changed: ChangedRanges = None,
) -> MartBuild:
    """Whole sessions of every breadth universe; ``tickers`` is accepted and ignored.
    ``changed``: the session ranges whose inputs changed; when given and the stored row
    before ``first`` seeds every universe, only those sessions are recounted from the
    members' rows (:func:`_breadth_recounted`), else every session is."""
    names = [u.name for u in universe.universes.values() if u.breadth]
    with wh.transaction() as con:
        seed = _breadth_seed(con, first, names)
        covered = seed is not None
        sizes = {name: len(universe.members(name)) for name in names}
        if covered and changed is not None:
            rows = _breadth_recounted(con, first, last, names, sizes, seed, changed)
        else:
            start = first if covered else (_first_bar(con) or first)
            members = _query(con, "marts/read_breadth_inputs", [start, last, names, None])
            rows = breadth(members, sizes, seed=seed)
        out = _replace(
            con, "breadth", rows, first, last, ["universe", "session_date"], scope="session"
        )
    return _build("breadth", first, last, 0, not covered, _preview(rows, last), out)


def recompute_from_raw(
    con: duckdb.DuckDBPyConnection,
    name: str,
    universe: UniverseConfig,
    tickers: Sequence[str],
    last: date,
) -> pl.DataFrame:
    """What one full build would store for ``tickers`` (their pairs, for relative
    performance) on every session up to ``last``: computed from the first stored bar with
    no seed, then gated. Per-ticker and pair marts only (the ``recompute`` check)."""
    scoped = sorted(tickers)
    start = _first_bar(con, frozenset(scoped)) or last
    if name in ("daily_returns", "streaks", "technicals"):
        bars = _query(con, "marts/read_bars", [start, last, scoped])
        compute = {"daily_returns": daily_returns, "streaks": streaks, "technicals": technicals}
        rows = compute[name](bars)
        scope = "ticker"
    elif name == "relative_performance":
        pairs = affected_pairs(universe.relative_pairs, frozenset(scoped))
        legs = sorted({x for pair in pairs for x in pair})
        start = _first_bar(con, frozenset(legs)) or last
        rows = relative_performance(_query(con, "marts/read_returns", [start, last, legs]), pairs)
        scope = "pair"
    else:
        raise ValueError(f"{name}: recompute_from_raw covers per-ticker and pair marts")
    rows = rows.filter(pl.col("session_date").is_between(start, last))
    return _gate(con, rows, start, last, scope)


def recompute_window(
    con: duckdb.DuckDBPyConnection,
    name: str,
    universe: UniverseConfig,
    tickers: Sequence[str],
    first: date,
    last: date,
) -> pl.DataFrame:
    """What ONE build of ``first..last`` would store for ``tickers`` (their pairs, for
    relative performance): continued from the stored state before ``first`` (the seed rows
    of the session before, the lookback's bars), exactly as a run over that range would
    build it, then gated. Per-ticker and pair marts only (the ``recompute`` check of a run
    that changed nothing before ``first``): the stored rows were built session by session
    or in other chunks, so equality says the chunking, seeding and writing lost nothing."""
    scoped = frozenset(tickers)
    if name == "daily_returns":
        rows, _ = _compute_daily_returns(con, first, last, scoped)
        scope = "ticker"
    elif name == "streaks":
        rows, _ = _compute_streaks(con, first, last, scoped)
        scope = "ticker"
    elif name == "technicals":
        rows, _ = _compute_technicals(con, first, last, scoped)
        scope = "ticker"
    elif name == "relative_performance":
        pairs = affected_pairs(universe.relative_pairs, scoped)
        legs = frozenset(x for pair in pairs for x in pair)
        rows, _ = _compute_relative_performance(con, first, last, pairs, legs)
        scope = "pair"
    else:
        raise ValueError(f"{name}: recompute_window covers per-ticker and pair marts")
    rows = rows.filter(pl.col("session_date").is_between(first, last))
    return _gate(con, rows, first, last, scope)


def recompute_sessions(
    con: duckdb.DuckDBPyConnection, name: str, universe: UniverseConfig, first: date, last: date
) -> pl.DataFrame:
    """What one full build would store for the cross-sectional mart ``name`` on sessions
    ``first..last``: sector ranks from the stored returns; breadth from the stored
    streaks and technicals, its A/D line and EMAs continued from the stored row before
    ``first`` when one build would continue from it, else recomputed from the first
    session (:func:`_breadth_seed`)."""
    if name == "sector_performance":
        sector_etfs = _sector_etfs(universe)
        returns = _query(con, "marts/read_returns", [first, last, sector_etfs["ticker"].to_list()])
        rows = sector_performance(returns, sector_etfs)
    elif name == "breadth":
        names = [u.name for u in universe.universes.values() if u.breadth]
        seed = _breadth_seed(con, first, names)
        start = first if seed is not None else (_first_bar(con) or first)
        members = _query(con, "marts/read_breadth_inputs", [start, last, names, None])
        sizes = {n: len(universe.members(n)) for n in names}
        rows = breadth(members, sizes, seed=seed).filter(pl.col("session_date") >= first)
    else:
        raise ValueError(f"{name}: recompute_sessions covers sector performance and breadth")
    return _gate(con, rows, first, last, "session")
