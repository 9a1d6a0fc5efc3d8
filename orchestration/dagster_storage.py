"""The project's Dagster instance storage: Dagster's embedded SQLite storage, with batched writes.

Same files, same schema and same readers as Dagster's default ``DagsterSqliteStorage``
(``$DAGSTER_HOME/history/runs.db``, ``history/runs/<run>.db`` + ``index.db``, ``schedules``);
``dagster_home/dagster.yaml`` selects it (``storage: custom:``). Two differences, both
about what a range run over many sessions costs (``docs/BENCHMARKS.md``, "Dagster's own
cost"):

* **One transaction per batch of events.** Dagster hands a run's planned events and a
  step's per-partition materializations to the storage as one batch when
  ``DAGSTER_EVENT_BATCH_SIZE`` is positive (this module sets it to
  :data:`DEFAULT_EVENT_BATCH_SIZE` unless the environment already sets it), but the
  SQLite storage of Dagster 1.13 stores a batch event by event: per event a new SQLAlchemy
  engine, connection and commit in the run's shard and again in ``index.db`` (10-25 ms
  on a 2-core machine). :meth:`BatchingSqliteEventLogStorage.store_event_batch` writes the
  batch in one transaction per shard: the same rows, the same asset-event tags, the same
  asset records (each asset's row reflects the batch's last materialization and last
  event, as after writing them one by one). Every materialization keeps its own event:
  per-partition status in the UI is unchanged.
* **One planned event per asset of a range run.** Creating the run of a range stores
  an ``ASSET_MATERIALIZATION_PLANNED`` event per asset and partition by default (62,870
  events and 166 MB for 25 years: minutes before the run starts); with Dagster's own
  ``DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS`` behaviour, on by default here (set
  the variable to ``false`` to turn it off), one event per asset carries the range. The
  trade-off Dagster documents: the Partitions tab does not show the sessions of a running
  range run as in progress, nor those of a failed one as failed (they stay missing; the
  run and its backfill show the failure, and a single-run backfill fails as a whole). Every
  materialized session is shown as before: each has its own materialization. A run of one
  session (the daily schedule's) keeps Dagster's per-partition planned event, so its
  failure shows as that session's in the Partitions tab.
* **One planned row per check and run.** For a range run over a time-window partitioned
  asset, Dagster 1.13 stores an ``ASSET_CHECK_EVALUATION_PLANNED`` row in
  ``asset_check_executions`` for every partition of the range (each holding the whole
  serialized planned event, partitions definition included), while the evaluation of an
  unpartitioned check (all of this project's checks: a range run records each check once,
  the per-session truth is in ``dq.check_results``) carries no partition: it adds one more
  row and the per-partition rows stay ``PLANNED`` for ever (the UI shows them as skipped).
  Here the planned event is stored as ONE row without partition, the row the evaluation
  then completes (``bench/dagster_check_rows.py`` reproduces the upstream behaviour).
  This relies on the project's checks being unpartitioned
  (``tests/test_dagster_runs.py`` checks that no check spec declares partitions).
* **Open shards stay open, in 16 KiB pages.** Dagster opens a new SQLAlchemy engine and
  SQLite connection for every transaction and closes it afterwards; closing the last
  connection of a WAL database checkpoints it, so every event outside a batch paid an
  open, a commit with ``fsync`` and a checkpoint (about 20 ms). Here the index shard and
  the :data:`OPEN_RUN_SHARDS` most recently used run shards keep one connection each
  (used under Dagster's own lock, as before), with ``synchronous=NORMAL``: in WAL mode a
  commit is durable once the WAL is synced at the next checkpoint, so an OS crash or power
  loss (not a process crash) can drop the last events, never corrupt the file. A new
  shard is created with 16 KiB pages instead of 4 KiB: a materialization row is about
  2.3 KiB, so a 4 KiB page held one and wasted 40% of the file
  (``tests/test_dagster_storage_files.py``).
* **A pool slot is claimed in one statement.** Dagster 1.13 claims a ``concurrency_slots``
  row with a ``SELECT ... FOR UPDATE SKIP LOCKED`` and then an ``UPDATE`` of the id it
  found; SQLite has no row locks (the clause is dropped), so two runs whose steps were both
  assigned at once (``has_unassigned_slots`` and ``add_pending_step`` race too) can both
  select the free slot and both "claim" it: two writers in the ``duckdb_writer`` pool at
  once, seen on a loaded CI machine. Here the claim is one ``UPDATE`` whose ``WHERE`` picks
  a free slot and requires it still free; SQLite runs a write statement under its write
  lock, so exactly one claimant gets the slot (``tests/test_dagster_storage.py``;
  ``bench/dagster_slot_race.py`` reproduces the upstream race).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

import sqlalchemy as db
from dagster import Field, StringSource
from dagster._core.events import ASSET_CHECK_EVENTS, ASSET_EVENTS
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.event_log.schema import (
    AssetCheckExecutionsTable,
    ConcurrencySlotsTable,
    SqlEventLogStorageTable,
)
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from dagster._serdes import ConfigurableClassData
from dagster._utils.concurrency import ConcurrencySlotStatus
from dagster._utils.tags import get_boolean_tag_value
from dagster_shared.serdes import serialize_value
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

#: Dagster's switch for one planned event per asset of a range run (default on here).
PLANNED_SUBSET_ENV = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"
#: The environment variable Dagster reads to hand events to the storage in batches.
EVENT_BATCH_SIZE_ENV = "DAGSTER_EVENT_BATCH_SIZE"
#: Events per batch: a step's per-partition materializations of a 25-year range (6,300
#: sessions) and a run's planned events fit in one or two batches.
DEFAULT_EVENT_BATCH_SIZE = 10_000
#: SQLite page size of a new shard: a materialization row (about 2.3 KiB) filled a 4 KiB page.
SHARD_PAGE_SIZE = 16_384
#: Run shards kept open besides the index shard (the run being written and a few being read).
OPEN_RUN_SHARDS = 4


def enable_event_batching() -> None:
    """Set ``DAGSTER_EVENT_BATCH_SIZE`` to :data:`DEFAULT_EVENT_BATCH_SIZE` unless set."""
    os.environ.setdefault(EVENT_BATCH_SIZE_ENV, str(DEFAULT_EVENT_BATCH_SIZE))


class OneStatementSlotClaim:
    """Claims a pool slot in one ``UPDATE`` that requires the slot still free (see the
    module doc); mixed into the project's SQLite and PostgreSQL event log storages."""

    def _claim_concurrency_slot(
        self, concurrency_key: str, run_id: str, step_key: str
    ) -> ConcurrencySlotStatus:
        """Give a free slot of ``concurrency_key`` to ``run_id``/``step_key`` in one
        ``UPDATE`` (see the module doc): ``CLAIMED`` if this statement took a slot that was
        free when it ran, else ``BLOCKED``."""
        slots = ConcurrencySlotsTable.c
        free_slot = (
            db.select(slots.id)
            .where(
                slots.concurrency_key == concurrency_key,
                slots.step_key.is_(None),
                slots.deleted == False,  # noqa: E712 (SQL, not Python)
            )
            .limit(1)
            .scalar_subquery()
        )
        with self.index_connection() as conn:  # type: ignore[attr-defined]
            taken = conn.execute(
                ConcurrencySlotsTable.update()
                .values(run_id=run_id, step_key=step_key)
                .where(slots.id == free_slot, slots.step_key.is_(None))
            ).rowcount
        return ConcurrencySlotStatus.CLAIMED if taken == 1 else ConcurrencySlotStatus.BLOCKED


class BatchingSqliteEventLogStorage(OneStatementSlotClaim, SqliteEventLogStorage):
    """Dagster's SQLite event log storage with :meth:`store_event_batch` in one transaction
    per shard and one planned row per check and run (see the module doc)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._open_shards: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data)
        enable_event_batching()

    def _shard_engine(self, shard: str) -> Engine:
        """The shard's engine: one SQLite connection kept open (see the module doc); the
        index shard stays open, run shards beyond :data:`OPEN_RUN_SHARDS` are closed, least
        recently used first. Called under Dagster's ``_db_lock``."""
        engine = self._open_shards.pop(shard, None)
        if engine is None:
            engine = db.create_engine(
                self.conn_string_for_shard(shard),
                poolclass=StaticPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            db.event.listen(engine, "connect", _sqlite_pragmas)
        self._open_shards[shard] = engine
        runs = [s for s in self._open_shards if s != INDEX_SHARD_NAME]
        for old in runs[: max(0, len(runs) - OPEN_RUN_SHARDS)]:
            self._open_shards.pop(old).dispose()
        return engine

    def _close_shards(self) -> None:
        with self._db_lock:
            while self._open_shards:
                self._open_shards.popitem()[1].dispose()

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        """Dagster's ``_connect`` (create the shard on first use, one transaction), on the
        shard's open connection instead of a new engine per transaction."""
        with self._db_lock:
            engine = self._shard_engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _initdb(self, engine: Engine, for_index_shard: bool = False) -> None:
        """Dagster's, with new shards in :data:`SHARD_PAGE_SIZE` pages (the index shard is
        created by Dagster's constructor on an engine of its own)."""
        if not db.event.contains(engine, "connect", _sqlite_pragmas):
            db.event.listen(engine, "connect", _sqlite_pragmas)
        super()._initdb(engine, for_index_shard)

    def wipe(self) -> None:
        """Dagster's (which deletes the run shards' files), the open shards closed first."""
        self._close_shards()
        super().wipe()

    def dispose(self) -> None:
        self._close_shards()
        super().dispose()

    @property
    def supports_partition_subset_in_asset_materialization_planned_events(self) -> bool:
        """One ``ASSET_MATERIALIZATION_PLANNED`` event per asset of a range run (with the
        range as its partitions subset) instead of one per partition, unless
        ``DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS`` says otherwise (see the module doc)."""
        raw = os.environ.get(PLANNED_SUBSET_ENV)
        return True if raw is None else get_boolean_tag_value(raw)

    def store_event(self, event: EventLogEntry) -> None:
        """Dagster's, with a one-session planned event stored as that session's (see
        :func:`_one_partition_planned`)."""
        super().store_event(_one_partition_planned(event))

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """Store ``events`` (one run's) in one transaction in the run's shard and one in the
        index shard; the check events' own rows afterwards, as :meth:`store_event` does."""
        events = [_one_partition_planned(e) for e in events]
        if len(events) < 2 or len({e.run_id for e in events}) != 1:
            super().store_event_batch(events)
            return
        rows = [self._event_to_row(e) for e in events]
        with self.run_connection(events[0].run_id) as conn:
            conn.execute(SqlEventLogStorageTable.insert(), rows)
        asset_events: list[tuple[EventLogEntry, int]] = []
        check_events: list[tuple[EventLogEntry, int]] = []
        indexed = [
            (e, row)
            for e, row in zip(events, rows, strict=True)
            if e.is_dagster_event
            and (
                (e.dagster_event_type in ASSET_EVENTS and e.get_dagster_event().asset_key)
                or e.dagster_event_type in ASSET_CHECK_EVENTS
            )
        ]
        if not indexed:
            return
        with self.index_transaction() as conn:
            # one multi-row statement; the ids are the last len(indexed) of the table, since
            # the transaction holds SQLite's write lock (AUTOINCREMENT: consecutive ids)
            conn.execute(SqlEventLogStorageTable.insert(), [row for _, row in indexed])
            ids = [
                r[0]
                for r in conn.execute(
                    db.select(SqlEventLogStorageTable.c.id)
                    .order_by(SqlEventLogStorageTable.c.id.desc())
                    .limit(len(indexed))
                )
            ][::-1]
            for (e, _), event_id in zip(indexed, ids, strict=True):
                if e.dagster_event_type in ASSET_CHECK_EVENTS:
                    check_events.append((e, event_id))
                else:
                    asset_events.append((e, event_id))
            if asset_events:
                self._store_asset_event_tags(
                    conn, [e for e, _ in asset_events], [i for _, i in asset_events]
                )
            for e, event_id in _asset_record_events(asset_events):
                self._store_asset_event(conn, e, event_id)
        for e, event_id in check_events:
            self.store_asset_check_event(e, event_id)

    def _store_asset_check_evaluation_planned(
        self, event: EventLogEntry, event_id: int | None
    ) -> None:
        """One ``PLANNED`` row without partition for the run's check (see the module doc)."""
        planned: Any = event.get_dagster_event().event_specific_data
        with self.index_connection() as conn:
            conn.execute(
                AssetCheckExecutionsTable.insert().values(
                    asset_key=planned.asset_key.to_string(),
                    check_name=planned.check_name,
                    partition=None,
                    run_id=event.run_id,
                    execution_status=AssetCheckExecutionRecordStatus.PLANNED.value,
                    evaluation_event=serialize_value(event),
                    evaluation_event_timestamp=self._event_insert_timestamp(event),
                    evaluation_event_storage_id=event_id,
                )
            )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Per connection: the page size a new file is created with (no effect on an existing
    one) and ``synchronous=NORMAL`` (see the module doc)."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA page_size = {SHARD_PAGE_SIZE}")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _one_partition_planned(event: EventLogEntry) -> EventLogEntry:
    """``event`` unchanged, unless it plans the materialization of a partitions subset of
    exactly one partition (a single-session run: the daily schedule's, a re-run of one
    session): then the same planned event for that partition, as Dagster writes it without
    the partitions-subset option. Dagster marks a planned partition of a failed run as
    failed in the Partitions tab only in that form, and a one-session run costs one event
    either way: the option's trade-off then stays with range runs."""
    dagster_event = event.dagster_event
    if dagster_event is None or dagster_event.event_type_value != "ASSET_MATERIALIZATION_PLANNED":
        return event
    planned = dagster_event.event_specific_data
    subset = getattr(planned, "partitions_subset", None)
    if subset is None or planned.partition is not None:  # type: ignore[union-attr]
        return event
    keys = list(subset.get_partition_keys())
    if len(keys) != 1:
        return event
    one = planned._replace(partition=keys[0], partitions_subset=None)  # type: ignore[union-attr]
    return event._replace(dagster_event=dagster_event._replace(event_specific_data=one))


def _asset_record_events(
    asset_events: list[tuple[EventLogEntry, int]],
) -> list[tuple[EventLogEntry, int]]:
    """The events whose asset-record update leaves each asset's row as writing the batch one
    by one would: per asset, its last materialization, then its last event if that differs."""
    last_materialization: dict[str, tuple[EventLogEntry, int]] = {}
    last_event: dict[str, tuple[EventLogEntry, int]] = {}
    for e, event_id in asset_events:
        key = e.get_dagster_event().asset_key.to_string()  # type: ignore[union-attr]
        if e.get_dagster_event().is_step_materialization:
            last_materialization[key] = (e, event_id)
        last_event[key] = (e, event_id)
    out = []
    for key, latest in last_event.items():
        mat = last_materialization.get(key)
        if mat is not None and mat[1] != latest[1]:
            out.append(mat)
        out.append(latest)
    return out


class BellwetherSqliteStorage(DagsterSqliteStorage):
    """``DagsterSqliteStorage`` (runs, event logs, schedules under ``base_dir``) whose event
    log storage is :class:`BatchingSqliteEventLogStorage`."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        # Dagster's constructor with the event log storage swapped; not called, since it
        # would create the event log shards with Dagster's class first (4 KiB pages)
        self.base_dir = base_dir
        self._run_storage = SqliteRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = BatchingSqliteEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = SqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        super(DagsterSqliteStorage, self).__init__()

    @classmethod
    def config_type(cls) -> dict:
        return {"base_dir": Field(StringSource)}

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData, config_value: dict
    ) -> BellwetherSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)


@cache
def postgres_storage_class() -> type:
    """``BellwetherPostgresStorage``: Dagster's PostgreSQL storage (``dagster-postgres``)
    whose event log claims pool slots in one statement. In PostgreSQL the statement's
    ``WHERE`` is re-checked on the row once a concurrent claim of it commits, so the second
    claimant gets no row. Built on first use: ``dagster-postgres`` is imported only by
    instances that select it; one class per process."""
    from dagster_postgres import DagsterPostgresStorage, PostgresEventLogStorage

    class BellwetherPostgresEventLogStorage(OneStatementSlotClaim, PostgresEventLogStorage):
        pass

    class _Storage(DagsterPostgresStorage):
        def __init__(self, postgres_url: str, should_autocreate_tables: bool = True,
                     inst_data: ConfigurableClassData | None = None, token_provider: Any = None):  # fmt: skip
            super().__init__(postgres_url, should_autocreate_tables, inst_data, token_provider)
            self._event_log_storage = BellwetherPostgresEventLogStorage(
                postgres_url, should_autocreate_tables, token_provider=token_provider
            )

        @classmethod
        def from_config_value(  # type: ignore[override]
            cls, inst_data: ConfigurableClassData | None, config_value: Any
        ) -> DagsterPostgresStorage:
            from dagster_postgres.utils import get_token_provider_from_config, pg_url_from_config

            return cls(
                inst_data=inst_data,
                postgres_url=pg_url_from_config(config_value),
                should_autocreate_tables=config_value.get("should_autocreate_tables", True),
                token_provider=get_token_provider_from_config(config_value),
            )

    _Storage.__name__ = _Storage.__qualname__ = "BellwetherPostgresStorage"
    return _Storage


def __getattr__(name: str) -> Any:
    """``BellwetherPostgresStorage`` for ``dagster.yaml`` (``storage: custom:``), built lazily."""
    if name == "BellwetherPostgresStorage":
        return postgres_storage_class()
    raise AttributeError(name)
