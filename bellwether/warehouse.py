"""The DuckDB warehouse: one file, opened with lock-aware retries, schema kept current.

DuckDB allows one writing process per file. A second process that tries to open the file
gets an ``IOException`` naming the holder. :meth:`Warehouse.connect` retries such lock
conflicts with exponential backoff (``0.1 s, 0.2 s, ... capped at 5 s``) until
``lock_timeout_s`` and then raises :class:`WarehouseLockedError` with the holder's process
named, so a user's open SQL session delays a run instead of crashing it.

Every writable connection makes sure the file is up to date with ``sql/schema/*.sql``
(idempotent DDL) and ``sql/macros/*.sql`` (``CREATE OR REPLACE``):
they are applied in file order once per version of those files, which the warehouse
records (``bw_meta.schema_digest``); a connection to an up-to-date file reads that one row
instead of re-running every statement (:func:`ensure_schema`), and a process that finds
the file as it left it skips even that (:data:`_SCHEMA_VERIFIED`). The file
and its folder are created user-only (0600 / 0700), and so is the WAL DuckDB writes next to
it (the process umask is 077 while a writable connection is open).

A step that makes many transactions (a landing and its checks, a mart build chunk by chunk
with its state tables and checks) holds the file open for its duration with
:meth:`Warehouse.session`: its connections are then cursors of one connection, so the file
is opened, checked against the schema and checkpointed once per step instead of once per
transaction (about 70 ms each on a 2-core machine, most of a small daily run). Between
steps the file is released, as before, for whoever waits for it.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TypeVar

import duckdb
import tenacity

from bellwether.sqlfiles import load_sql, sql_files

T = TypeVar("T")
SCHEMA_FOLDERS: tuple[str, ...] = ("schema", "macros")
_HOLDER = re.compile(r"Conflicting lock is held in (?P<holder>.+?)(?: by user|\. See also|$)")


class WarehouseLockedError(RuntimeError):
    """Another process held the warehouse file for longer than the lock timeout."""


def _lock_holder(exc: BaseException) -> str | None:
    text = str(exc)
    if "lock" not in text.lower():
        return None
    m = _HOLDER.search(text)
    return m.group("holder").strip() if m else "another process"


#: Public tables that became views over a stored table (``schema.table: upgrade statement``):
#: a file made before keeps its rows, renamed to the stored table, before the schema runs.
STORED_BEHIND_VIEWS: dict[str, str] = {
    "raw.daily_bars": "catalog/store_daily_bars",
    "marts.daily_returns": "catalog/store_daily_returns",
}


def stored_table(table: str) -> str:
    """The table holding the rows of ``table`` (``schema.table``): its stored table when it
    is a view of :data:`STORED_BEHIND_VIEWS` (``raw.daily_bars`` ->
    ``raw.daily_bars_stored``), else ``table`` itself. Stored ``adj_close`` values are
    divided by the ticker's ``raw.adj_close_scale``."""
    return f"{table}_stored" if table in STORED_BEHIND_VIEWS else table


def _upgrade_to_views(con: duckdb.DuckDBPyConnection) -> None:
    """Rename each table of :data:`STORED_BEHIND_VIEWS` still stored under its public name
    (a warehouse made by an earlier version) to the stored table its view reads."""
    for view, statement in STORED_BEHIND_VIEWS.items():
        schema, _, table = view.partition(".")
        params = {"schema": schema, "table": table}
        if con.execute(load_sql("catalog/base_table_exists"), params).fetchall()[0][0]:
            con.execute(load_sql(statement))


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create schemas, tables, views and macros (idempotent): :data:`SCHEMA_FOLDERS` in
    order, after upgrading a file made before some tables became views."""
    _upgrade_to_views(con)
    for folder in SCHEMA_FOLDERS:
        for path in sql_files(folder):
            con.execute(path.read_text())


@cache
def schema_files_digest() -> str:
    """sha256 of the schema, macro and view files (read once per process)."""
    h = hashlib.sha256()
    for folder in SCHEMA_FOLDERS:
        for path in sql_files(folder):
            h.update(folder.encode() + b"/" + path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Apply the schema unless the warehouse records that this version is applied."""
    digest = schema_files_digest()
    # checked first: a missing table would make DuckDB look for a Python object of its name
    if con.execute(load_sql("catalog/has_schema_digest")).fetchall()[0][0]:
        stored = con.execute(load_sql("catalog/read_schema_digest")).fetchall()[0][0]
        if stored == digest:
            return
    apply_schema(con)
    con.execute(load_sql("catalog/create_schema_digest"))
    con.execute(load_sql("catalog/write_schema_digest"), [digest])


#: Per file this process verified the schema of: the file's identity (device, inode, size,
#: modification time) right after this process last closed it. A connection to a file
#: still in that state skips :func:`ensure_schema`; any other write (another process, a
#: restore over it, a new file at the path) changes the identity and it is checked again.
_SCHEMA_VERIFIED: dict[str, tuple[int, int, int, int]] = {}


def _file_identity(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class Warehouse:
    """A DuckDB warehouse file."""

    def __init__(
        self,
        path: Path | str,
        *,
        lock_timeout_s: float = 120.0,
        initial_backoff_s: float = 0.1,
        max_backoff_s: float = 5.0,
    ) -> None:
        self.path = Path(path)
        self.lock_timeout_s = lock_timeout_s
        self.initial_backoff_s = initial_backoff_s
        self.max_backoff_s = max_backoff_s
        self._held: duckdb.DuckDBPyConnection | None = None

    def _restrict_permissions(self) -> None:
        """Make the warehouse file and its WAL user-only."""
        for p in (self.path, self.path.with_name(self.path.name + ".wal")):
            if p.exists():
                os.chmod(p, 0o600)

    def _retry_lock(self, attempt: Callable[[], T]) -> T:
        """``attempt()``, retrying DuckDB lock conflicts with exponential backoff (tenacity)
        until ``lock_timeout_s``; then :class:`WarehouseLockedError` naming the holder."""
        backoff = tenacity.wait_exponential(
            multiplier=self.initial_backoff_s, max=self.max_backoff_s
        )
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(
                lambda e: isinstance(e, duckdb.IOException) and _lock_holder(e) is not None
            ),
            stop=tenacity.stop_after_delay(self.lock_timeout_s),
            # never sleep past the deadline: the last attempt is at the timeout (tenacity
            # computes the wait before it checks the stop, so clip at zero)
            wait=lambda state: max(
                0.0, min(backoff(state), self.lock_timeout_s - state.seconds_since_start)
            ),
            reraise=True,
        )
        try:
            return retrying(attempt)
        except duckdb.IOException as exc:
            holder = _lock_holder(exc)
            if holder is None:
                raise
            raise WarehouseLockedError(
                f"warehouse {self.path} is locked by {holder}; gave up after "
                f"{self.lock_timeout_s:.0f}s of retries. Close that session (a DuckDB "
                "shell or notebook holding the file) or wait for its run to finish."
            ) from exc

    def _open(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        def attempt() -> duckdb.DuckDBPyConnection:
            if read_only:
                return duckdb.connect(str(self.path), read_only=True)
            if self.path.exists():
                return duckdb.connect(str(self.path))
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            old = os.umask(0o077)  # a new file is created user-only
            try:
                return duckdb.connect(str(self.path))
            finally:
                os.umask(old)

        return self._retry_lock(attempt)

    def attach_read_only(self, con: duckdb.DuckDBPyConnection, alias: str = "src") -> None:
        """``ATTACH`` this file read-only as ``src`` in ``con``, with the lock retry
        (``sql/publish/attach_writer.sql``; the only alias a publish uses)."""
        if alias != "src":
            raise ValueError(f"the writer's file is attached as src, not {alias!r}")
        if not self.path.exists():
            raise FileNotFoundError(f"warehouse {self.path} does not exist yet")
        attach = load_sql("publish/attach_writer")
        self._retry_lock(lambda: con.execute(attach, [str(self.path)]))

    @contextmanager
    def session(self) -> Iterator[None]:
        """Hold the file open (writable, schema applied) until exit: every
        :meth:`connect` and :meth:`transaction` meanwhile is a cursor of that one connection
        (its own transaction; ``read_only`` ones too, the process being the file's writer).
        Re-entrant: an inner session uses the outer one. The lock retry applies to the
        opening only."""
        if self._held is not None:
            yield
            return
        with self.connect() as con:
            self._held = con
            try:
                yield
            finally:
                self._held = None

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection; writable ones have the schema applied. Closed on exit. Inside a
        :meth:`session`, a cursor of the held connection."""
        if self._held is not None:
            cursor = self._held.cursor()
            try:
                yield cursor
            finally:
                cursor.close()
            return
        if read_only and not self.path.exists():
            raise FileNotFoundError(
                f"warehouse {self.path} does not exist yet; run `make demo` first"
            )
        # DuckDB creates the WAL (and spill files) on the first write, with the process
        # umask: keep them user-only too while a writable connection is open.
        old_umask = None if read_only else os.umask(0o077)
        key = str(self.path.resolve())
        try:
            before = _file_identity(self.path)
            con = self._open(read_only)
            try:
                if not read_only:
                    self._restrict_permissions()
                    if before is None or _SCHEMA_VERIFIED.get(key) != before:
                        ensure_schema(con)
                yield con
            finally:
                con.close()
                if not read_only:
                    _SCHEMA_VERIFIED[key] = _file_identity(self.path)
        finally:
            if old_umask is not None:
                os.umask(old_umask)

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A writable connection inside ``BEGIN``/``COMMIT``; any error rolls back."""
        with self.connect() as con:
            con.begin()
            try:
                yield con
            except BaseException:
                con.rollback()
                raise
            con.commit()
