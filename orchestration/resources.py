"""Dagster resources: the warehouse (with the publish of a run, :meth:`WarehouseResource.
publish_run`, shared by the publish asset and the compaction job) and the bar source; and the
publish's view of the runs still in progress (:func:`runs_in_progress`).

Both are ``ConfigurableResource``s whose unset fields fall back to the environment
(``BELLWETHER_WAREHOUSE``, ``BELLWETHER_PUBLISHED``, ``BELLWETHER_ARCHIVE``, ``BELLWETHER_SOURCE``,
``BELLWETHER_FILES_PATH``), so the same definitions serve ``make demo``, ``make ui``,
the tests and production.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
from pydantic import Field

from bellwether import settings
from bellwether.publish import PublishedState, publish
from bellwether.sources.base import BarSource
from bellwether.warehouse import Warehouse

#: Dagster concurrency pool for every asset that writes to DuckDB (limit 1 in dagster.yaml).
WRITER_POOL = "duckdb_writer"


def runs_in_progress(instance: dg.DagsterInstance):
    """``still_writing`` for :func:`bellwether.publish.publish` (the publish asset's and the
    compaction job's): of the given run ids, those the Dagster ``instance`` has and that have
    not finished."""

    def still_writing(run_ids: set[str]) -> set[str]:
        return {r for r in run_ids if (run := instance.get_run_by_id(r)) and not run.is_finished}

    return still_writing


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file and the archive of source responses."""

    path: str | None = Field(
        default=None,
        description="The writer's private file; default $BELLWETHER_WAREHOUSE or "
        "data/writer/warehouse.duckdb",
    )
    published: str | None = Field(
        default=None,
        description="The published file readers open; default $BELLWETHER_PUBLISHED or "
        "data/warehouse.duckdb (bellwether.publish)",
    )
    archive_dir: str | None = Field(
        default=None, description="Archive folder; default $BELLWETHER_ARCHIVE or data/archive"
    )
    lock_timeout_s: float = Field(
        default=120.0, description="How long to retry a DuckDB file lock held by another process"
    )

    def get(self) -> Warehouse:
        return Warehouse(
            Path(self.path) if self.path else settings.warehouse_path(),
            lock_timeout_s=self.lock_timeout_s,
        )

    def published_path(self) -> Path:
        if self.published:
            return Path(self.published)
        if self.path:  # a configured writer's file: publish beside it, like the settings do
            return Path(self.path).parent / "published" / Path(self.path).name
        return settings.published_path()

    def get_published(self) -> Warehouse:
        """The published warehouse (open it read-only)."""
        return Warehouse(self.published_path(), lock_timeout_s=self.lock_timeout_s)

    def publish_run(
        self, context: dg.AssetExecutionContext | dg.OpExecutionContext, sessions: list[date]
    ) -> PublishedState:
        """Publish the writer's file for the run of ``context`` (its ``sessions``; none for
        a run that wrote no session, such as the compaction's), deferred while other runs
        of the instance are still writing: :func:`bellwether.publish.publish`, which raises
        :class:`~bellwether.publish.PublishDeferred` then."""
        return publish(
            self.get(), context.run.run_id, sessions, published=self.published_path(),
            still_writing=runs_in_progress(context.instance),
        )  # fmt: skip

    def archive_root(self) -> Path:
        return Path(self.archive_dir) if self.archive_dir else settings.archive_dir()


class BarSourceResource(dg.ConfigurableResource):
    """Which source bars come from: ``yfinance``, ``bundled``, ``files``, ``synthetic`` or
    ``archive`` (an archived landing replayed offline)."""

    kind: str | None = Field(
        default=None,
        description="yfinance | bundled | files | synthetic | archive; default $BELLWETHER_SOURCE or yfinance",
    )
    files_path: str | None = Field(
        default=None, description="For files: CSV/Parquet file or folder inside the files root"
    )
    batch_size: int = Field(default=50, description="yfinance: symbols per download batch")
    pause_s: float = Field(default=1.0, description="yfinance: pause between batches, seconds")
    synthetic_symbols: int = Field(
        default=500, description="synthetic: number of generated stocks (SYN0001..)"
    )
    archive_ingest: str | None = Field(
        default=None,
        description="archive: ingest id (or folder in the archive) of the landing to replay; "
        "default $BELLWETHER_ARCHIVE_INGEST",
    )

    def resolved_kind(self) -> str:
        kind = self.kind or settings.source_kind()
        if kind not in settings.SOURCE_KINDS:
            raise ValueError(
                f"unknown source kind {kind!r}; use one of {', '.join(settings.SOURCE_KINDS)}"
            )
        return kind

    def build(self) -> BarSource:
        kind = self.resolved_kind()
        if kind == "bundled":
            from bellwether.sources.bundled import BundledSource

            return BundledSource()
        if kind == "synthetic":
            from bellwether.sources.synthetic import SyntheticSource

            return SyntheticSource(self.synthetic_symbols)
        if kind == "archive":
            from bellwether.sources.archive import ArchiveSource

            ingest = self.archive_ingest or settings.archive_ingest()
            if not ingest:
                raise ValueError(
                    "the archive source needs archive_ingest or BELLWETHER_ARCHIVE_INGEST (an "
                    "ingest id from raw.ingest_runs)"
                )
            return ArchiveSource(ingest)
        if kind == "files":
            from bellwether.sources.files import FileSource

            path = self.files_path or settings.files_path()
            if not path:
                raise ValueError("the files source needs files_path or BELLWETHER_FILES_PATH")
            return FileSource(path)
        from bellwether.sources.yahoo import YahooSource

        return YahooSource(batch_size=self.batch_size, pause_s=self.pause_s)
