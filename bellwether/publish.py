"""Publishing the warehouse for readers: SQL users and runs never block each other.

Runs write the writer's private file (``settings.warehouse_path()``); nobody else opens it.
After every successful run, :func:`publish` makes the run's result visible to readers at
the published path (``settings.published_path()``, by default ``data/warehouse.duckdb``):

* ``keep`` generation files (``settings.publish_keep()``, default 3),
  ``.<name>.generations/a.duckdb``, ``b.duckdb``, ``c.duckdb``, ... beside the published
  path, each holding one published state; the published path is a hard link to the one
  holding the current state. Publishing takes the generation holding the oldest kept state,
  brings it up to date with the writer's file, checkpoints and closes it, then links it to
  a temporary name and renames that over the published path (``rename(2)`` is atomic). A
  reader that opens the path gets one whole published state or the next one, never half a
  run; a reader that is already open keeps the inode it opened, with its old state, until
  it reconnects. Readers take DuckDB's shared lock on a generation, never on the writer's
  file, so a run is never blocked by them and they are never blocked by a run. The other
  kept states stay openable (:func:`open_state`, :func:`kept_states`): a brief's footnote
  is re-derived from the state its JSON names after later restatements.
* The generation being updated was published ``keep`` states ago. Only what changed since
  then is copied (:class:`_Delta`): whole sessions of every session table for the sessions
  of every state published since, landings' ranges and mart builds over every ticker; the
  rows of one ticker (as ``ticker`` or as a pair's ``benchmark``) for a corporate action
  re-basing its history (``raw.rebasings``) and for a mart build scoped to some tickers
  (``marts.rebuild_log.rebuilt_tickers``, which also names the tickers whose kept state a
  build rewrote from their first row); the check results of the sessions whose checks were
  written (``dq.check_results`` only: a check writes no other table). The run ends and
  period bases kept by the builds (:data:`DATED_STATE`) copy the same sessions widened as
  their builds write them; every other table gets only what changed (nothing when it
  holds the same rows already, the rows appended since when it holds no other change, else
  every row: ``_copy_changes``). The change logs
  (:data:`CHANGE_LOGS`) cover runs that failed after writing. The row count of every table
  is then compared with the writer's. If that generation is still held by a reader (its
  shared lock refuses the update), if its state is unknown, if a table's columns changed or
  a count differs, the generation is made anew: a file copy of the current one brought up
  to date the same way, or, without one, a full copy (``publish(..., full=True)`` forces
  that). Copying whole sessions for a re-basing made a dividend day's publish copy every
  session of a 25-year history (6.5 minutes at 3000 symbols), and copying the run ends
  whole made every publish take a minute there (docs/OPERATIONS.md).
* With ``still_writing`` (the Dagster asset), a run never publishes another run's half-done
  writes: while a run that wrote since the current state is still in progress, the publish
  is deferred (:class:`PublishDeferred`) and that run's publish holds both.
* The generations are written with ``STORAGE_VERSION 'v1.5.0'``, so DuckDB 1.5 clients
  (the DuckDB CLI from the package index, JDBC/ODBC and BI tools built on 1.x) open them.
* Every published file holds its history in ``meta.published_states`` (``meta.published_state``
  is its own state: which run, which sessions that run covered, the warehouse's first and
  last session, row counts), and ``<published path>.json`` beside it says the same for
  people and tools that do not open the file.

Measured costs and the choice against the alternatives: ``docs/OPERATIONS.md`` ("Readers and
the published warehouse").
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from bellwether import settings
from bellwether.compaction import create_table_statement
from bellwether.landing import fsync_path
from bellwether.registry import MARTS
from bellwether.sqlfiles import load_sql, sql_files
from bellwether.warehouse import (
    SCHEMA_FOLDERS,
    STORED_BEHIND_VIEWS,
    Warehouse,
    _lock_holder,
    apply_schema,
    stored_table,
)

#: Storage format of the published files: DuckDB 1.5 and later open it.
STORAGE_VERSION = "v1.5.0"  # as written in sql/publish/attach_new_generation.sql
#: Names of the generation files (``<name>.duckdb``); ``settings.publish_keep()`` of them
#: are used, the first two always.
GENERATION_NAMES: tuple[str, ...] = tuple("abcdefghijklmnopqrstuvwxyz")
GENERATIONS: tuple[str, str] = GENERATION_NAMES[:2]
#: The memory a publish may use (DuckDB spills beyond it). A full publish at 3000 symbols x
#: 25 years took 70 s and peaked at 3.2 GiB with it, 74 s and 10.4-10.9 GiB with DuckDB's
#: default (80% of the RAM): every table copied and its key indexed.
PUBLISH_MEMORY_LIMIT = "3GB"
#: A ``schema.table`` name from the writer's catalog, before it is put into a statement
#: (identifiers cannot be bound parameters); the schemas are those of sql/publish/table_columns.
_TABLE_NAME = re.compile(r"(raw|marts|dq)\.[a-z_][a-z0-9_]*")


class PublishError(RuntimeError):
    """The published warehouse cannot be written (see the message)."""


class PublishDeferred(RuntimeError):
    """Another run is still writing the writer's file: publishing now would expose half of
    it. Nothing was published; this run is recorded as deferred and the next publish that
    may go ahead (normally that other run's) holds it (``absorbed``). ``runs``: the runs
    still writing."""

    def __init__(self, run_id: str | None, runs: set[str]) -> None:
        self.runs = frozenset(runs)
        super().__init__(
            f"not published: run(s) {', '.join(sorted(runs))} are still writing the writer's "
            f"file; run {run_id}'s results are published with theirs"
        )


class StateNotKept(LookupError):
    """A published state that is no longer kept (or never was): the message says which are."""


class _Rebuild(Exception):
    """This generation cannot be brought up to date in place: make it anew."""


#: How the rows of a delta are copied in the tables kept by the mart builds without a
#: ``session_date``: (statement for whole sessions, statement for ticker ranges). A build of
#: sessions ``first..last`` rewrites the run ends from the session before ``first``
#: (``bellwether.run_state``) and the period bases of the months from ``first``'s to the one
#: after ``last`` (``bellwether.period_state``), so the statements widen the sessions by as
#: much. Copied whole, ``marts.streak_history`` (9.5 M rows at 3000 x 25 years) made every
#: publish take a minute.
DATED_STATE: dict[str, tuple[str, str]] = {
    "marts.streak_history": ("copy_run_end_sessions", "copy_run_end_ranges"),
    "marts.relative_history": ("copy_run_end_sessions", "copy_pair_run_end_ranges"),
    "marts.period_bases": ("copy_period_base_sessions", "copy_period_base_ranges"),
}


@dataclass(frozen=True)
class _Delta:
    """What an up-to-date generation needs copied from the writer's file.

    ``sessions``: every row of these sessions (calendar days) of every session table (a
    landing's range, a run's sessions, a build of a per-ticker mart over every ticker).
    ``checked``: the sessions whose check results were written, copied in
    ``dq.check_results`` only (a check writes no other table). ``own``: ``(table, day)``,
    sessions of one table only: a build of a cross-sectional mart (breadth, sector ranks)
    writes its own table and no other. ``ranges``: ``(ticker, first, last)``, the rows of
    that ticker (as ``ticker`` or a pair's ``benchmark``) in ``first..last`` of every session
    table with a ``ticker`` column: a corporate action re-basing one ticker's history, a
    mart build scoped to some tickers. The state tables without a session column copy the
    rows of these sessions widened as their builds write them (:data:`DATED_STATE`); every
    other table is copied whole. ``compacted``: tables the writer rewrote in session order
    (``bellwether.compaction``), made anew in the generation and copied whole in that order."""

    sessions: frozenset[date] = frozenset()
    checked: frozenset[date] = frozenset()
    ranges: frozenset[tuple[str, date, date]] = frozenset()
    own: frozenset[tuple[str, date]] = frozenset()
    compacted: frozenset[str] = frozenset()

    def sessions_for(self, table: str) -> list[date]:
        """The whole sessions to copy in ``table``."""
        days = set(self.sessions) | {d for t, d in self.own if t == table}
        if table == "dq.check_results":
            days |= self.checked
        return sorted(days)

    def pruned(self) -> _Delta:
        """The same delta without the ticker ranges that whole sessions already cover (a
        build of the run's own session scoped to every ticker but a re-based one)."""

        def covered(first: date, last: date) -> bool:
            span = (last - first).days + 1
            return span <= len(self.sessions) and _days(first, last) <= self.sessions

        kept = frozenset(r for r in self.ranges if not covered(r[1], r[2]))
        return _Delta(self.sessions, self.checked, kept, self.own, self.compacted)

    def __or__(self, other: _Delta) -> _Delta:
        return _Delta(
            self.sessions | other.sessions,
            self.checked | other.checked,
            self.ranges | other.ranges,
            self.own | other.own,
            self.compacted | other.compacted,
        )


@dataclass(frozen=True)
class PublishedState:
    """One state of the published warehouse: what a reader that opens it sees."""

    state_id: int
    run_id: str | None
    run_sessions: tuple[date, ...]
    first_session: date | None
    last_session: date | None
    published_at: datetime
    generation: str
    method: str  # "in place", "copy" or "full"
    delta_sessions: int | None  # sessions copied (None: every row of every table)
    watermarks: dict[str, str | None] = field(default_factory=dict)  # change log: stamp
    table_rows: dict[str, int] = field(default_factory=dict)
    seconds: float | None = None
    path: Path | None = None
    #: runs whose own publish was deferred to this state: ``{run id: [ISO session, ...]}``
    absorbed: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "state_id": self.state_id,
            "run_id": self.run_id,
            "run_sessions": [d.isoformat() for d in self.run_sessions],
            "first_session": _iso(self.first_session),
            "last_session": _iso(self.last_session),
            "published_at": self.published_at.isoformat(),
            "generation": self.generation,
            "method": self.method,
            "delta_sessions": self.delta_sessions,
            "watermarks": self.watermarks,
            "table_rows": self.table_rows,
            "seconds": self.seconds,
            "path": str(self.path) if self.path else None,
            "absorbed": self.absorbed,
        }

    def label(self) -> str:
        """``state 12 (run abc, sessions 2025-12-01..2025-12-05)``."""
        span = f"{self.run_sessions[0]}..{self.run_sessions[-1]}" if self.run_sessions else "none"
        return f"state {self.state_id} (run {self.run_id or '-'}, sessions {span})"


def _iso(v: date | datetime | None) -> str | None:
    return v.isoformat() if v is not None else None


def generations_dir(published: Path) -> Path:
    """Folder of the two generation files of ``published``."""
    return published.parent / f".{published.name}.generations"


def manifest_path(published: Path) -> Path:
    """``<published>.json``: the current state and the history, for people and tools."""
    return published.with_name(published.name + ".json")


def _row_to_state(row: dict) -> PublishedState:
    return PublishedState(
        state_id=row["state_id"],
        run_id=row["run_id"],
        run_sessions=tuple(row["run_sessions"] or ()),
        first_session=row["first_session"],
        last_session=row["last_session"],
        published_at=row["published_at"],
        generation=row["generation"],
        method=row["method"],
        delta_sessions=row["delta_sessions"],
        watermarks=json.loads(row["watermarks"]) if row["watermarks"] else {},
        table_rows=json.loads(row["table_rows"]) if row["table_rows"] else {},
        absorbed=json.loads(row["absorbed"]) if row.get("absorbed") else {},
    )


def _states(con: duckdb.DuckDBPyConnection, sql: str) -> list[PublishedState]:
    try:
        rel = con.execute(load_sql(sql))
    except duckdb.CatalogException:  # not a published file
        return []
    names = [d[0] for d in rel.description]
    return [_row_to_state(dict(zip(names, r, strict=True))) for r in rel.fetchall()]


def read_states(con: duckdb.DuckDBPyConnection) -> list[PublishedState]:
    """Every state recorded in a published file (oldest first); ``[]`` for any other file."""
    return _states(con, "publish/read_states")


def published_state(con: duckdb.DuckDBPyConnection) -> PublishedState | None:
    """The state a connection to a published file sees (``None`` for any other file)."""
    states = read_states(con)
    return states[-1] if states else None


def current_state(published: Path | None = None) -> PublishedState | None:
    """The state at the published path now (``None`` before the first publish)."""
    published = Path(published or settings.published_path())
    if not published.exists():
        return None
    con = duckdb.connect(str(published), read_only=True)
    try:
        state = published_state(con)
    finally:
        con.close()
    return None if state is None else _with(state, path=published)


def _with(state: PublishedState, **changes) -> PublishedState:
    return PublishedState(**{**state.__dict__, **changes})


@contextmanager
def _publisher_lock(folder: Path) -> Iterator[None]:
    """One publisher at a time per published path."""
    with open(folder / "publish.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _table_sql(name: str, table: str) -> str:
    """``sql/publish/<name>.sql`` for one table of the writer's catalog."""
    if not _TABLE_NAME.fullmatch(table):
        raise ValueError(f"unexpected table name {table!r}")
    return load_sql(f"publish/{name}").replace("{table}", table)


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[tuple]]:
    """``{schema.table: [(column, type, nullable), ...]}`` of the published schemas."""
    rows = con.execute(load_sql("publish/table_columns"), {"catalog": catalog}).fetchall()
    out: dict[str, list[tuple]] = {}
    for table, col, typ, nullable in rows:
        out.setdefault(table, []).append((col, typ, nullable))
    return out


def _src_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The ``schema.table`` names of the writer's file (``src``), in one query."""
    return {r[0] for r in con.execute(load_sql("publish/src_tables")).fetchall()}


#: The writer's change logs: ``table: stamp column`` of what each run changed. Landings
#: (their ranges), checks (every session checked, the freshness row dated by the clock
#: included), re-basings of history by corporate actions, mart builds (the rows rebuilt
#: beyond the requested sessions included) and compactions (whole tables). Each has a
#: ``run_id`` column. A log the writer's file does not have is skipped.
CHANGE_LOGS: dict[str, str] = {
    "raw.ingest_runs": "finished_at",
    "dq.check_results": "checked_at",
    "raw.rebasings": "rebased_at",
    "marts.rebuild_log": "built_at",
    "dq.table_compactions": "compacted_at",
}
#: The sessions each change log read by sessions (sql/publish/log_written_since) names:
#: ``table: (first session column, last session column)``.
_LOG_SESSIONS: dict[str, tuple[str, str]] = {
    "raw.ingest_runs": ("start_session", "end_session"),
    "dq.check_results": ("session_date", "session_date"),
    "marts.rebuild_log": ("first_session", "last_session"),  # a writer not yet upgraded
}


def _log_sql(name: str, table: str) -> str:
    sql = _table_sql(name, table).replace("{stamp}", CHANGE_LOGS[table])
    if table in _LOG_SESSIONS:
        first, last = _LOG_SESSIONS[table]
        sql = sql.replace("{first}", first).replace("{last}", last)
    return sql


def _watermarks(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """The latest stamp of every change log of the writer's file."""
    have = _src_tables(con)
    return {
        table: con.execute(_log_sql("log_watermark", table)).fetchone()[0]
        for table in CHANGE_LOGS
        if table in have
    }


def _schema_digest() -> str:
    """sha256 of the schema and macro files (sql/schema, sql/macros, ...) and sql/publish/meta."""
    h = hashlib.sha256()
    for folder in SCHEMA_FOLDERS:
        for path in sql_files(folder):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    h.update(load_sql("publish/meta").encode())
    return h.hexdigest()


def _days(first: date, last: date | None) -> set[date]:
    last = last or first
    return {date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)}


def _written_since(
    con: duckdb.DuckDBPyConnection, since: PublishedState, states: list[PublishedState]
) -> _Delta:
    """What the writer's change logs (:data:`CHANGE_LOGS`) say changed since ``since`` was
    published (a failed run's landing or marts included): landings' ranges (whole sessions),
    check results (``checked``), re-basings of one ticker's bars and mart rebuilds scoped to
    some tickers (``ranges``), rebuilds over every ticker (whole sessions). Rows stamped
    exactly at ``since``'s watermark are left out when their run is one that ``since`` or a
    state before it (``states``) published: with a fixed clock another run's rows can carry
    the same stamp, but a published run wrote nothing after its publish. (Leaving out only
    ``since``'s own run's made every publish after one without writes of its own, such as
    the compaction's or ``bellwether publish``, copy the last run's sessions again: after a
    25-year backfill, all of them.)"""
    src = _tables(con, "src")  # the change logs and their columns
    have = src.keys()
    sessions: set[date] = set()
    checked: set[date] = set()
    ranges: set[tuple[str, date, date]] = set()
    own: set[tuple[str, date]] = set()
    compacted: set[str] = set()

    # ``since`` is one of ``states``: its own run is among them
    published = sorted(_published_runs([s for s in states if s.state_id <= since.state_id]))

    def marked(table: str) -> dict:
        return {"mark": since.watermarks.get(table), "runs": published}

    for table in ("raw.ingest_runs", "dq.check_results"):
        if table in have:
            found = con.execute(_log_sql("log_written_since", table), marked(table)).fetchall()
            (sessions if table == "raw.ingest_runs" else checked).update(r[0] for r in found)
    if "raw.rebasings" in have:
        found = con.execute(load_sql("publish/rebasings_since"), marked("raw.rebasings"))
        ranges.update((t, first, last or first) for t, first, last in found.fetchall())
    scoped_log = any(c[0] == "rebuilt_tickers" for c in src.get("marts.rebuild_log", []))
    if "marts.rebuild_log" in have and not scoped_log:  # a writer's file not yet upgraded
        table = "marts.rebuild_log"
        found = con.execute(_log_sql("log_written_since", table), marked(table)).fetchall()
        sessions.update(r[0] for r in found)
    elif "marts.rebuild_log" in have:
        found = con.execute(load_sql("publish/rebuilds_since"), marked("marts.rebuild_log"))
        for mart, ticker, first, last in found.fetchall():
            if ticker is not None:  # a build scoped to some tickers (or their state restarted)
                ranges.add((ticker, first, last or first))
            elif mart in MARTS and MARTS[mart].scope == "session":  # writes its table only
                own.update((f"marts.{mart}", d) for d in _days(first, last))
            else:
                sessions |= _days(first, last)
    if "dq.table_compactions" in have:
        mark = {"mark": since.watermarks.get("dq.table_compactions")}
        found = con.execute(load_sql("publish/compactions_since"), mark)
        compacted.update(r[0] for r in found.fetchall())
    return _Delta(
        frozenset(sessions), frozenset(checked), frozenset(ranges), frozenset(own),
        frozenset(compacted),
    )  # fmt: skip


def _remove(path: Path) -> None:
    """Remove ``path`` and its WAL (a WAL must never be replayed onto another file)."""
    for p in (path, path.with_name(path.name + ".wal")):
        with suppress(FileNotFoundError):
            p.unlink()


def _replace(tmp: Path, path: Path) -> None:
    """Move the finished, checkpointed ``tmp`` over generation ``path`` (a reader holding
    the old inode keeps it); a WAL left by a killed update of ``path`` goes first."""
    fsync_path(tmp)
    with suppress(FileNotFoundError):
        path.with_name(path.name + ".wal").unlink()
    os.replace(tmp, path)


def _by_session(cols: list[tuple]) -> bool:
    """A table with a non-null ``session_date``: copied by session."""
    return any(c == "session_date" and not nullable for c, _, nullable in cols)


#: Ranges of one ticker closer than this are merged: the statements widen a range by up to
#: 31 days on each side (sql/publish/copy_period_base_ranges.sql), and a join with ranges
#: that then overlap would insert a row twice.
_RANGE_MERGE_GAP = timedelta(days=70)


def _merged_ranges(ranges: Iterable[tuple[str, date, date]]) -> list[tuple[str, date, date]]:
    """The ticker ranges, those of one ticker less than :data:`_RANGE_MERGE_GAP` apart
    merged (copying the sessions between them too is harmless)."""
    out: list[list] = []
    for ticker, first, last in sorted(ranges):
        if out and out[-1][0] == ticker and first <= out[-1][2] + _RANGE_MERGE_GAP:
            out[-1][2] = max(out[-1][2], last)
        else:
            out.append([ticker, first, last])
    return [(t, a, b) for t, a, b in out]


def _sync(
    con: duckdb.DuckDBPyConnection,
    delta: _Delta | None,
    states: list[PublishedState],
    new: PublishedState,
) -> PublishedState:
    """Make catalog ``pub`` hold what catalog ``src`` holds (the rows that ``delta`` names
    of the session tables and of :data:`DATED_STATE`, every other table whole;
    ``delta=None``: everything) and record ``new`` after ``states``, in one transaction.
    Raises :class:`_Rebuild` when ``pub`` cannot be brought up to date this way."""
    con.execute(load_sql("publish/use_pub"))
    con.execute(load_sql("publish/meta"))
    digest = _schema_digest()
    if con.execute(load_sql("publish/read_schema_digest")).fetchone()[0] != digest:
        apply_schema(con)  # tables and macros (CREATE OR REPLACE: changed macros are published)
    src, pub = _tables(con, "src"), _tables(con, "pub")
    d = (delta or _Delta()).pruned()
    ranges = _merged_ranges(d.ranges)
    con.execute(
        load_sql("publish/set_delta_ranges"),
        {"tickers": [r[0] for r in ranges], "firsts": [r[1] for r in ranges],
         "lasts": [r[2] for r in ranges]},
    )  # fmt: skip
    con.begin()
    try:
        for table in pub.keys() - src.keys():  # dropped in the writer
            con.execute(_table_sql("drop_table", table))
        for table, cols in src.items():
            if table not in pub:
                con.execute(_table_sql("create_table", table))
            elif [c[:2] for c in pub[table]] != [c[:2] for c in cols]:
                if delta is not None:
                    raise _Rebuild(f"the columns of {table} changed")
                con.execute(_table_sql("create_table", table))
            if delta is not None and table in d.compacted:
                _copy_compacted(con, table)
                continue
            if delta is None or not (_by_session(cols) or table in DATED_STATE):
                if delta is None:
                    con.execute(_table_sql("copy_table", table))
                else:
                    _copy_changes(con, table, cols)
                continue
            # ticker ranges first: the whole sessions after them replace whatever they copied
            names = {c for c, _, _ in cols}
            by_sessions, by_ranges = DATED_STATE.get(table) or (
                "copy_sessions",
                "copy_pair_ranges" if "benchmark" in names else "copy_ticker_ranges",
            )
            if ranges and "ticker" in names:
                con.execute(_table_sql(by_ranges, table))
            days = d.sessions_for(table)
            if days:
                con.execute(load_sql("publish/set_delta"), {"sessions": days})
                con.execute(_table_sql(by_sessions, table))
        counts = {}
        for table in sorted(src):
            n_src, n_pub = con.execute(_table_sql("row_counts", table)).fetchone()
            if n_src != n_pub:
                raise _Rebuild(f"{table} has {n_pub} rows published, {n_src} in the writer")
            counts[table] = n_src
        for view in STORED_BEHIND_VIEWS:  # the public names hold the same rows
            if stored_table(view) in counts:
                counts[view] = counts[stored_table(view)]
        first = last = None
        if stored_table("raw.daily_bars") in src:
            first, last = con.execute(load_sql("publish/bar_span")).fetchone()
        new = _with(new, table_rows=counts, first_session=first, last_session=last)
        history = [*states, new]
        con.execute(load_sql("publish/keep_states"), {"ids": [s.state_id for s in history]})
        recorded = {r[0] for r in con.execute(load_sql("publish/read_pub_state_ids")).fetchall()}
        for s in (s for s in history if s.state_id not in recorded):  # states are immutable
            con.execute(
                load_sql("publish/insert_state"),
                [s.state_id, s.run_id, list(s.run_sessions), s.first_session, s.last_session,
                 s.published_at, s.generation, s.method, s.delta_sessions,
                 json.dumps(s.watermarks, sort_keys=True), json.dumps(s.table_rows, sort_keys=True),
                 json.dumps(s.absorbed, sort_keys=True)],
            )  # fmt: skip
        con.execute(load_sql("publish/write_schema_digest"), {"digest": digest})
        con.commit()
    except BaseException:
        con.rollback()
        raise
    con.execute(load_sql("publish/checkpoint_pub"))
    return new


def _fingerprints(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, int, int, int]:
    """Rows and the sum of row hashes of ``table`` in ``src`` and in ``pub``
    (``sql/publish/table_fingerprints.sql``; a few milliseconds for the largest table copied
    whole, against a copy and its commit)."""
    return con.execute(_table_sql("table_fingerprints", table)).fetchone()


def _nested(column_type: str) -> bool:
    """A list, array, struct, map or union column type (as ``duckdb_columns()`` names it)."""
    return "[" in column_type or column_type.startswith(("STRUCT", "MAP", "UNION"))


def _copy_changes(con: duckdb.DuckDBPyConnection, table: str, cols: list[tuple]) -> None:
    """Bring ``pub``'s ``table`` (one not keyed by session; ``cols``: its ``(column, type,
    nullable)``) to the writer's rows: nothing when it holds them already; only the rows
    appended since when it holds no row the writer does not (a log, or actions a landing
    added); else every row again. 86 k rows each of ``raw.corporate_actions`` and
    ``raw.rebasings`` at 3,000 stocks x 25 years were copied whole by every publish (0.6 s
    with the commit).

    "Holds them already": the same row count and sum of row hashes, trusted only for a
    table without a nested column (DuckDB hashes an empty list as it hashes NULL, and
    ``[0]`` as ``[0, 0]``): a table with one is compared row by row. The writer's rows the
    generation lacks are computed once (staged): the generation's rows the writer lacks
    number ``pub_rows - src_rows + staged``."""
    src_rows, src_hash, pub_rows, pub_hash = _fingerprints(con, table)
    hash_decides = not any(_nested(typ) for _, typ, _ in cols)
    if src_rows == pub_rows and src_hash == pub_hash and hash_decides:
        return
    con.execute(_table_sql("stage_new_rows", table))
    try:
        (staged,) = con.execute(load_sql("publish/count_new_rows")).fetchone()
        if pub_rows - src_rows + staged == 0:
            if staged:  # none: the same rows (a table the row hashes could not decide)
                con.execute(_table_sql("copy_new_rows", table))
        else:
            con.execute(_table_sql("copy_table", table))
    finally:
        con.execute(load_sql("publish/drop_new_rows"))


def _copy_compacted(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Make ``pub``'s ``table`` anew from the writer's ``CREATE TABLE`` statement and copy
    every row in the writer's (session) order: a table the writer compacted. 4x faster than
    deleting and re-inserting every row under the key (``bellwether.compaction``)."""
    create_table = create_table_statement(con, "src", table)  # no catalog in it: pub (use_pub)
    if create_table is None:
        raise _Rebuild(f"{table} is not in the writer's file")
    con.execute(_table_sql("drop_table", table))
    con.execute(create_table)
    con.execute(_table_sql("copy_table_in_order", table))


def _open_generation(path: Path, *, create: bool) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with ``path`` attached writable as ``pub`` (created in the
    1.5 storage format). A reader's shared lock on it raises ``duckdb.IOException``."""
    con = duckdb.connect(config={"threads": 2, "memory_limit": PUBLISH_MEMORY_LIMIT})
    try:
        attach = "publish/attach_new_generation" if create else "publish/attach_generation"
        con.execute(load_sql(attach), [str(path)])
    except BaseException:
        con.close()
        raise
    return con


def _held(states: list[PublishedState]) -> dict[str, int]:
    """``{generation: state id}``: the state each generation file was last brought to."""
    return {s.generation: s.state_id for s in states}


def _target(
    names: tuple[str, ...], current: str | None, held: dict[str, int], gen_path: dict[str, Path]
) -> str:
    """The generation the next state is written into: a name without a file first, else
    the one holding the oldest state (it leaves the kept states)."""
    candidates = [g for g in names if g != current]
    missing = [g for g in candidates if not gen_path[g].exists()]
    if missing:
        return missing[0]
    return min(candidates, key=lambda g: held.get(g, -1))


def publish(
    wh: Warehouse,
    run_id: str | None,
    sessions: Iterable[date],
    *,
    published: Path | str | None = None,
    full: bool = False,
    keep: int | None = None,
    still_writing: Callable[[set[str]], set[str]] | None = None,
) -> PublishedState:
    """Publish the writer's file ``wh`` after run ``run_id`` over ``sessions`` succeeded.

    Returns the new :class:`PublishedState`. ``keep`` (default ``settings.publish_keep()``)
    published states stay openable (:func:`open_state`): the new one and the ``keep - 1``
    before it, one generation file each.

    ``still_writing`` (the Dagster asset passes one): given the other runs that wrote to the
    writer's file since the current state, the ones still in progress. When there are any,
    nothing is published and :class:`PublishDeferred` is raised: this run is recorded as
    deferred (its writes are done) and the next publish holds it in ``absorbed``; a run
    whose publish was deferred, and a run that has ended (failed included), no longer
    counts as writing. So with interleaved runs, a published state is always the writer's
    file at the end of a run with no other run half-way through its writes. Raises
    :class:`~bellwether.warehouse.WarehouseLockedError` (naming the holder) when another
    process holds the writer's file for longer than ``wh.lock_timeout_s``, and
    :class:`PublishError` when the published path holds a file that is not a published
    state (a warehouse from before publishing existed: move it to the writer's path). The
    state at the published path is unchanged on any error."""
    started = time.monotonic()
    published = Path(published or settings.published_path())
    keep = settings.publish_keep() if keep is None else keep
    if not 2 <= keep <= len(GENERATION_NAMES):
        raise ValueError(f"keep={keep}: between 2 and {len(GENERATION_NAMES)} states")
    names = GENERATION_NAMES[:keep]
    run_sessions = tuple(sorted(set(sessions)))
    folder = generations_dir(published)
    published.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.mkdir(exist_ok=True, mode=0o700)
    old_umask = os.umask(0o077)
    try:
        with _publisher_lock(folder):
            gen_path = {g: folder / f"{g}.duckdb" for g in names}
            gen_path |= {
                p.stem: p for p in folder.glob("*.duckdb") if p.stem in GENERATION_NAMES
            }  # files of names beyond ``keep`` (it was lowered): removed below
            current = None
            if published.exists():
                ino = published.stat().st_ino
                current = next(
                    (g for g, p in gen_path.items() if p.exists() and p.stat().st_ino == ino),
                    None,
                )
                if current is None:
                    raise PublishError(
                        f"{published} is not a published state of this warehouse (a warehouse "
                        "file from before publishing?). Move it to the writer's path "
                        f"({wh.path}) if it is the warehouse, or remove it; then run again."
                    )
            states: list[PublishedState] = []
            if current is not None:
                reader = duckdb.connect(str(gen_path[current]), read_only=True)
                try:
                    states = read_states(reader)
                finally:
                    reader.close()
            deferred = _read_deferred(folder)
            if still_writing is not None:
                others = _writing_runs(wh, states[-1] if states else None)
                others -= {run_id, *deferred, *_published_runs(states)}
                waiting = still_writing(others) if others else set()
                if waiting:
                    _write_deferred(folder, {**deferred, str(run_id): _iso_list(run_sessions)})
                    raise PublishDeferred(run_id, waiting)
            held = _held(states)
            target = _target(names, current, held, gen_path)
            if states:  # the state in the target leaves the kept ones before it is written
                _write_manifest(published, states, _kept(states, gen_path, exclude=target))
            new = PublishedState(
                state_id=(states[-1].state_id + 1) if states else 1,
                run_id=run_id,
                run_sessions=run_sessions,
                first_session=None,
                last_session=None,
                published_at=datetime.now(UTC),
                generation=target,
                method="in place",
                delta_sessions=None,
                absorbed={r: v for r, v in deferred.items() if r != str(run_id)},
            )
            new = _build_generation(wh, gen_path, current, target, states, new, full=full)
            new = _with(new, seconds=round(time.monotonic() - started, 3), path=published)
            link = folder / "publish.tmp"
            with suppress(FileNotFoundError):
                link.unlink()
            os.link(gen_path[target], link)
            os.replace(link, published)  # the switch: readers now open the new state
            for g, path in gen_path.items():
                if g not in names:  # ``keep`` was lowered (a reader keeps an open inode)
                    _remove(path)
            fsync_path(folder)
            fsync_path(published.parent)
            history = [*states, new]
            _write_manifest(published, history, _kept(history, gen_path))
            _write_deferred(folder, {})
            return new
    finally:
        os.umask(old_umask)


def _iso_list(days: Iterable[date]) -> list[str]:
    return [d.isoformat() for d in days]


def _deferred_path(folder: Path) -> Path:
    return folder / "deferred.json"


def _read_deferred(folder: Path) -> dict[str, list[str]]:
    """Runs whose publish was deferred since the last state: ``{run id: [session, ...]}``."""
    try:
        return json.loads(_deferred_path(folder).read_text())
    except FileNotFoundError:
        return {}


def is_deferred(run_id: str | None, published: Path | str | None = None) -> bool:
    """Was run ``run_id``'s publish deferred (:class:`PublishDeferred`) and is it not yet
    published?"""
    published = Path(published or settings.published_path())
    return str(run_id) in _read_deferred(generations_dir(published))


def _write_deferred(folder: Path, deferred: dict[str, list[str]]) -> None:
    path = _deferred_path(folder)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(deferred, indent=2, sort_keys=True))
    fsync_path(tmp)
    os.replace(tmp, path)


def _published_runs(states: list[PublishedState]) -> set[str]:
    return {s.run_id for s in states if s.run_id} | {r for s in states for r in s.absorbed}


def _writing_runs(wh: Warehouse, since: PublishedState | None) -> set[str]:
    """Runs that the writer's change logs say wrote since ``since`` was published (every
    run, before the first state)."""
    con = duckdb.connect()
    try:
        wh.attach_read_only(con, "src")
        out: set[str] = set()
        have = _src_tables(con)
        for table in CHANGE_LOGS:
            if table not in have:
                continue
            mark = since.watermarks.get(table) if since is not None else None
            rows = con.execute(_log_sql("log_runs_since", table), {"mark": mark}).fetchall()
            out.update(r[0] for r in rows)
        return out
    finally:
        con.close()


def _kept(
    states: list[PublishedState], gen_path: dict[str, Path], exclude: str | None = None
) -> list[PublishedState]:
    """The states still held by a generation file (oldest first), each with its path."""
    held = _held(states)
    by_id = {s.state_id: s for s in states}
    return sorted(
        (
            _with(by_id[sid], path=gen_path[g])
            for g, sid in held.items()
            if g != exclude and g in gen_path and gen_path[g].exists()
        ),
        key=lambda s: s.state_id,
    )


def kept_states(published: Path | str | None = None) -> list[PublishedState]:
    """The published states that can still be opened (oldest first; ``path`` is each one's
    generation file), from ``<published>.json``; ``[]`` before the first publish."""
    published = Path(published or settings.published_path())
    try:
        doc = json.loads(manifest_path(published).read_text())
    except FileNotFoundError:
        return []
    out = []
    for row in doc.get("kept", []):
        state = _row_to_state(
            {**row, "watermarks": json.dumps(row["watermarks"]),
             "absorbed": json.dumps(row.get("absorbed") or {}),
             "table_rows": json.dumps(row["table_rows"]),
             "run_sessions": [date.fromisoformat(d) for d in row["run_sessions"]],
             "first_session": _date(row["first_session"]), "last_session": _date(row["last_session"]),
             "published_at": datetime.fromisoformat(row["published_at"])}
        )  # fmt: skip
        out.append(_with(state, path=Path(row["path"])))
    return out


def _date(v: str | None) -> date | None:
    return None if v is None else date.fromisoformat(v)


def open_state(state_id: int, published: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to published state ``state_id`` (the one a brief's JSON names
    in ``published_state``), while it is kept (:func:`kept_states`). The connection's
    DuckDB shared lock keeps that file unchanged while it is open (a publish then makes a
    new generation file instead). Raises :class:`StateNotKept` naming the states that are
    kept when it is not (``BELLWETHER_PUBLISH_KEEP`` sets how many)."""
    return _open_kept(state_id, published)[0]


def kept_state_path(state_id: int, published: Path | str | None = None) -> Path:
    """The generation file holding published state ``state_id`` now (checked by opening
    it); :class:`StateNotKept` when it is not kept. The file holds that state until the
    ``keep``-th publish after it, and for as long as a reader keeps it open."""
    con, path = _open_kept(state_id, published)
    con.close()
    return path


def _open_kept(
    state_id: int, published: Path | str | None
) -> tuple[duckdb.DuckDBPyConnection, Path]:
    kept = kept_states(published)
    for state in kept:
        if state.state_id != state_id:
            continue
        try:
            con = duckdb.connect(str(state.path), read_only=True)
        except duckdb.IOException as exc:  # a publish is rewriting it right now
            if _lock_holder(exc) is None:
                raise
            break
        got = published_state(con)
        if got is not None and got.state_id == state_id:
            return con, state.path
        con.close()  # replaced since the list was read
        break
    ids = ", ".join(str(s.state_id) for s in kept) or "none"
    latest = max((s.state_id for s in kept), default=0)
    if state_id < 1 or state_id > latest:
        raise StateNotKept(
            f"published state {state_id} does not exist: states are numbered from 1, the latest "
            f"is {latest or 'none yet'} (kept now: {ids})"
        )
    raise StateNotKept(
        f"published state {state_id} is no longer kept (kept now: {ids}); "
        "BELLWETHER_PUBLISH_KEEP sets how many are kept"
    )


def _build_generation(
    wh: Warehouse,
    gen_path: dict[str, Path],
    current: str | None,
    target: str,
    states: list[PublishedState],
    new: PublishedState,
    *,
    full: bool,
) -> PublishedState:
    """Bring generation ``target`` up to ``new``: in place, else a copy of ``current``
    brought up to date, else a full copy. Returns ``new`` with its counts and method."""
    path = gen_path[target]
    tmp = path.with_suffix(".tmp")
    known = {s.state_id: s for s in states}
    if not full and current is not None and path.exists():
        try:
            con = _open_generation(path, create=False)
        except duckdb.IOException as exc:  # a reader from two states ago still holds it
            if _lock_holder(exc) is None:
                raise
        else:
            try:
                wh.attach_read_only(con, "src")
                mine = _states(con, "publish/read_pub_states")
                if not mine or mine[-1].state_id not in known:
                    raise _Rebuild("its state is not in the history")
                since = mine[-1]
                delta = _Delta(frozenset(new.run_sessions)) | _written_since(con, since, states)
                if delta.compacted:
                    # a table made anew whole (60 s for six at 3000 x 25 years) against a
                    # file copy of the current generation, which has them already unless
                    # the compaction came after it (10 s)
                    raise _Rebuild(f"compacted since its state: {', '.join(delta.compacted)}")
                for s in states:
                    if s.state_id > since.state_id:
                        delta |= _Delta(frozenset(s.run_sessions))
                return _finish(con, delta, states, _with(new, method="in place"))
            except _Rebuild:
                pass
            finally:
                con.close()
    _remove(tmp)  # left by a killed publish
    if not full and current is not None and states:
        shutil.copyfile(gen_path[current], tmp)
        con = _open_generation(tmp, create=False)
        try:
            wh.attach_read_only(con, "src")
            delta = _Delta(frozenset(new.run_sessions)) | _written_since(con, states[-1], states)
            done = _finish(con, delta, states, _with(new, method="copy"))
        except _Rebuild:
            done = None
        finally:
            con.close()
        if done is not None:
            _replace(tmp, path)
            return done
        _remove(tmp)
    con = _open_generation(tmp, create=True)
    try:
        wh.attach_read_only(con, "src")
        done = _finish(con, None, states, _with(new, method="full"))
    finally:
        con.close()
    _replace(tmp, path)
    return done


def _finish(con, delta, states, new) -> PublishedState:
    new = _with(
        new,
        delta_sessions=None if delta is None else len(delta.sessions),
        watermarks=_watermarks(con),
    )
    new = _sync(con, delta, states, new)
    con.execute(load_sql("publish/detach_catalogs"))
    return new


def _write_manifest(
    published: Path, states: list[PublishedState], kept: list[PublishedState]
) -> None:
    """``<published>.json``: the current state, the states that can still be opened (with
    their files) and the whole history."""
    doc = {
        "published": str(published),
        "current": _with(states[-1], path=published).to_json(),
        "kept": [s.to_json() for s in kept],
        "states": [{k: v for k, v in s.to_json().items() if k not in ("path",)} for s in states],
    }
    path = manifest_path(published)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=2))
    fsync_path(tmp)
    os.replace(tmp, path)
