"""Publishing the warehouse for readers: SQL users and runs never block each other.

Runs write the writer's private file (``settings.warehouse_path()``); nobody else opens it.
After every successful run, :func:`publish` makes the run's result visible to readers at
the published path (``settings.published_path()``, by default ``data/warehouse.duckdb``):

* Two generation files, ``.<name>.generations/a.duckdb`` and ``b.duckdb`` beside the
  published path; the published path is a hard link to one of them. Publishing brings the
  other one up to date with the writer's file, checkpoints and closes it, then links it to a
  temporary name and renames that over the published path (``rename(2)`` is atomic). A
  reader that opens the path gets one whole published state or the next one, never half a
  run; a reader that is already open keeps the inode it opened, with its old state, until it
  reconnects. Readers take DuckDB's shared lock on a generation, never on the writer's file,
  so a run is never blocked by them and they are never blocked by a run.
* The generation being updated was published two states ago. Only what changed since then
  is copied: rows of the sessions of every state published since, and of every session the
  writer's change logs (:data:`CHANGE_LOGS`: landings, checks, re-basings, mart rebuilds)
  say changed since (which covers runs that failed after writing), in every table with a
  ``session_date`` column; every other (small) table whole. The row count of every table is
  then compared with the writer's. If that generation is still held by a reader from two
  states ago (its shared lock refuses the update), if its state is unknown, if a table's
  columns changed or a count differs, the generation is made anew: a file copy of the
  current one brought up to date the same way, or, without one, a full copy
  (``publish(..., full=True)`` forces that).
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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from bellwether import settings
from bellwether.landing import fsync_path
from bellwether.sqlfiles import load_sql, sql_files
from bellwether.warehouse import SCHEMA_FOLDERS, Warehouse, _lock_holder, apply_schema

#: Storage format of the published files: DuckDB 1.5 and later open it.
STORAGE_VERSION = "v1.5.0"  # as written in sql/publish/attach_new_generation.sql
GENERATIONS: tuple[str, str] = ("a", "b")
#: A ``schema.table`` name from the writer's catalog, before it is put into a statement
#: (identifiers cannot be bound parameters); the schemas are those of sql/publish/table_columns.
_TABLE_NAME = re.compile(r"(raw|marts|dq)\.[a-z_][a-z0-9_]*")


class PublishError(RuntimeError):
    """The published warehouse cannot be written (see the message)."""


class _Rebuild(Exception):
    """This generation cannot be brought up to date in place: make it anew."""


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


def _has_tables(con: duckdb.DuckDBPyConnection, *qualified: str) -> bool:
    """Does the writer's file (``src``) have every one of these tables?"""
    sql = load_sql("publish/has_table")
    return all(
        con.execute(
            sql, dict(zip(("catalog", "schema", "table"), ("src", *q.split(".")), strict=True))
        ).fetchone()[0]
        for q in qualified
    )


#: The writer's change logs: ``table: (stamp column, first session, last session)`` of what
#: each run changed. Landings (their ranges), checks (every session checked, the freshness
#: row dated by the clock included), re-basings of history by corporate actions and mart
#: builds (the rows rebuilt beyond the requested sessions included). Each has a ``run_id``
#: column. A log the writer's file does not have is skipped.
CHANGE_LOGS: dict[str, tuple[str, str, str]] = {
    "raw.ingest_runs": ("finished_at", "start_session", "end_session"),
    "dq.check_results": ("checked_at", "session_date", "session_date"),
    "raw.rebasings": ("rebased_at", "first_session", "last_session"),
    "marts.rebuild_log": ("built_at", "first_session", "last_session"),
}


def _log_sql(name: str, table: str) -> str:
    stamp, first, last = CHANGE_LOGS[table]
    return (
        _table_sql(name, table)
        .replace("{stamp}", stamp)
        .replace("{first}", first)
        .replace("{last}", last)
    )


def _watermarks(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """The latest stamp of every change log of the writer's file."""
    return {
        table: con.execute(_log_sql("log_watermark", table)).fetchone()[0]
        for table in CHANGE_LOGS
        if _has_tables(con, table)
    }


def _schema_digest() -> str:
    """sha256 of the schema and macro files (sql/schema, sql/macros, ...) and sql/publish/meta."""
    h = hashlib.sha256()
    for folder in SCHEMA_FOLDERS:
        for path in sql_files(folder):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    h.update(load_sql("publish/meta").encode())
    return h.hexdigest()


def _written_since(con: duckdb.DuckDBPyConnection, since: PublishedState) -> set[date]:
    """Sessions the writer's change logs (:data:`CHANGE_LOGS`) say changed since ``since``
    was published: a failed run's landing or marts included, re-based history, marts
    rebuilt beyond a run's sessions, the freshness row (sql/publish/log_written_since)."""
    out: set[date] = set()
    for table in CHANGE_LOGS:
        if not _has_tables(con, table):
            continue
        params = {"mark": since.watermarks.get(table), "run": since.run_id}
        out.update(
            r[0] for r in con.execute(_log_sql("log_written_since", table), params).fetchall()
        )
    return out


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


def _sync(
    con: duckdb.DuckDBPyConnection,
    delta: set[date] | None,
    states: list[PublishedState],
    new: PublishedState,
) -> PublishedState:
    """Make catalog ``pub`` hold what catalog ``src`` holds (only the sessions in ``delta``
    of session tables, every other table whole; ``delta=None``: everything) and record
    ``new`` after ``states``, in one transaction. Raises :class:`_Rebuild` when ``pub``
    cannot be brought up to date this way."""
    con.execute(load_sql("publish/use_pub"))
    con.execute(load_sql("publish/meta"))
    digest = _schema_digest()
    if con.execute(load_sql("publish/read_schema_digest")).fetchone()[0] != digest:
        apply_schema(con)  # tables and macros (CREATE OR REPLACE: changed macros are published)
    src, pub = _tables(con, "src"), _tables(con, "pub")
    con.execute(load_sql("publish/set_delta"), {"sessions": sorted(delta or [])})
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
            by_session = any(c == "session_date" and not nullable for c, _, nullable in cols)
            copy = "copy_sessions" if delta is not None and by_session else "copy_table"
            con.execute(_table_sql(copy, table))
        counts = {}
        for table in sorted(src):
            n_src, n_pub = con.execute(_table_sql("row_counts", table)).fetchone()
            if n_src != n_pub:
                raise _Rebuild(f"{table} has {n_pub} rows published, {n_src} in the writer")
            counts[table] = n_src
        first = last = None
        if "raw.daily_bars" in src:
            first, last = con.execute(load_sql("publish/bar_span")).fetchone()
        new = _with(new, table_rows=counts, first_session=first, last_session=last)
        con.execute(load_sql("publish/clear_states"))
        for s in [*states, new]:
            con.execute(
                load_sql("publish/insert_state"),
                [s.state_id, s.run_id, list(s.run_sessions), s.first_session, s.last_session,
                 s.published_at, s.generation, s.method, s.delta_sessions,
                 json.dumps(s.watermarks, sort_keys=True), json.dumps(s.table_rows, sort_keys=True)],
            )  # fmt: skip
        con.execute(load_sql("publish/write_schema_digest"), {"digest": digest})
        con.commit()
    except BaseException:
        con.rollback()
        raise
    con.execute(load_sql("publish/checkpoint_pub"))
    return new


def _open_generation(path: Path, *, create: bool) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with ``path`` attached writable as ``pub`` (created in the
    1.5 storage format). A reader's shared lock on it raises ``duckdb.IOException``."""
    con = duckdb.connect(config={"threads": 2})
    try:
        attach = "publish/attach_new_generation" if create else "publish/attach_generation"
        con.execute(load_sql(attach), [str(path)])
    except BaseException:
        con.close()
        raise
    return con


def publish(
    wh: Warehouse,
    run_id: str | None,
    sessions: Iterable[date],
    *,
    published: Path | str | None = None,
    full: bool = False,
) -> PublishedState:
    """Publish the writer's file ``wh`` after run ``run_id`` over ``sessions`` succeeded.

    Returns the new :class:`PublishedState`. Raises
    :class:`~bellwether.warehouse.WarehouseLockedError` (naming the holder) when another
    process holds the writer's file for longer than ``wh.lock_timeout_s``, and
    :class:`PublishError` when the published path holds a file that is not a published
    state (a warehouse from before publishing existed: move it to the writer's path). The
    state at the published path is unchanged on any error."""
    started = time.monotonic()
    published = Path(published or settings.published_path())
    run_sessions = tuple(sorted(set(sessions)))
    folder = generations_dir(published)
    published.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.mkdir(exist_ok=True, mode=0o700)
    gen_path = {g: folder / f"{g}.duckdb" for g in GENERATIONS}
    old_umask = os.umask(0o077)
    try:
        with _publisher_lock(folder):
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
            target = GENERATIONS[1] if current == GENERATIONS[0] else GENERATIONS[0]
            states: list[PublishedState] = []
            if current is not None:
                reader = duckdb.connect(str(gen_path[current]), read_only=True)
                try:
                    states = read_states(reader)
                finally:
                    reader.close()
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
            )
            new = _build_generation(wh, gen_path, current, target, states, new, full=full)
            new = _with(new, seconds=round(time.monotonic() - started, 3), path=published)
            link = folder / "publish.tmp"
            with suppress(FileNotFoundError):
                link.unlink()
            os.link(gen_path[target], link)
            os.replace(link, published)  # the switch: readers now open the new state
            fsync_path(folder)
            fsync_path(published.parent)
            _write_manifest(published, [*states, new])
            return new
    finally:
        os.umask(old_umask)


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
                delta = set(new.run_sessions) | _written_since(con, since)
                for s in states:
                    if s.state_id > since.state_id:
                        delta |= set(s.run_sessions)
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
            delta = set(new.run_sessions) | _written_since(con, states[-1])
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
        new, delta_sessions=None if delta is None else len(delta), watermarks=_watermarks(con)
    )
    new = _sync(con, delta, states, new)
    con.execute(load_sql("publish/detach_catalogs"))
    return new


def _write_manifest(published: Path, states: list[PublishedState]) -> None:
    doc = {
        "published": str(published),
        "current": states[-1].to_json(),
        "states": [{k: v for k, v in s.to_json().items() if k not in ("path",)} for s in states],
    }
    path = manifest_path(published)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=2))
    os.replace(tmp, path)
