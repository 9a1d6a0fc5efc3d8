"""Landing fetched bars into ``raw.daily_bars``, one transaction per landing.

:func:`land_fetch` takes a :class:`~bellwether.sources.base.FetchResult` for a range of
sessions and

1. validates it (:func:`bellwether.bars.validate_bars`): good rows and rejected rows;
2. archives what the source delivered (Parquet under ``<archive>/<ingest_id>/``, with a
   ``manifest.json`` holding the request and the files' SHA-256, written last) so the
   landing can be rebuilt offline exactly as it was first made
   (:class:`bellwether.sources.archive.ArchiveSource`); once the transaction has committed
   or failed, ``landing.json`` there records the outcome;
3. in ONE transaction: records restatements (a delivered bar whose close moved by more
   than 0.5% or whose ``adj_close`` basis changed against the stored one) in
   ``raw.restatements``, replaces the stored bars for every ``(ticker, session)`` delivered,
   replaces earlier rejects of the delivered tickers in the range (and any earlier reject
   identical to a new one, so re-landing the same input is idempotent), stores the new rejects,
   upserts corporate actions and logs the landing in ``raw.ingest_runs``.

If anything fails inside the transaction it is rolled back (every session is wholly old or
wholly new), a ``failed`` row is logged in ``raw.ingest_runs`` and the error propagates.
Bars the source did not deliver (a failed symbol, a missing session) are never deleted:
re-landing can only replace a bar with a new valid one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from bellwether.bars import validate_bars
from bellwether.sources.base import FetchResult
from bellwether.sqlfiles import load_sql
from bellwether.warehouse import Warehouse, WarehouseLockedError

LOG = logging.getLogger(__name__)

#: A re-landed bar is a restatement when its close moved by more than this (relative) ...
RESTATEMENT_CLOSE_MOVE = 0.005
#: ... or its adj_close/close ratio (the adjustment basis) changed by more than this.
RESTATEMENT_BASIS_CHANGE = 1e-6


@dataclass
class LandingReport:
    """What one landing did."""

    ingest_id: str
    source: str
    start: date
    end: date
    sessions: int
    symbols_requested: list[str]
    symbols_received: list[str]
    failed: dict[str, str]
    rows_received: int
    rows_landed: int
    rows_rejected: int
    actions_landed: int
    archive_path: str | None
    rows_per_session: dict[str, int] = field(default_factory=dict)
    reject_reasons: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for logs."""
        failed = f", failed: {', '.join(sorted(self.failed))}" if self.failed else ""
        return (
            f"{self.source}: {self.rows_landed} bars landed for {len(self.symbols_received)}/"
            f"{len(self.symbols_requested)} symbols over {self.sessions} sessions "
            f"{self.start}..{self.end}; {self.rows_rejected} rejected{failed}"
        )


#: Files of an archived landing (see :func:`archive_fetch`).
ARCHIVE_BARS = "bars.parquet"
ARCHIVE_ACTIONS = "corporate_actions.parquet"
ARCHIVE_MANIFEST = "manifest.json"
ARCHIVE_OUTCOME = "landing.json"


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (hex), read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_durably(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` user-only via a temporary file and a rename (atomic)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def archive_fetch(result: FetchResult, archive_root: Path, ingest_id: str, manifest: dict) -> Path:
    """Write what the source delivered as Parquet under ``archive_root/<ingest_id>/`` (user-only).

    The manifest is written last, atomically, with each file's SHA-256 and row count: a
    folder without ``manifest.json`` is an archive cut off before it was complete. Files are
    flushed to disk before the landing's transaction starts.
    """
    folder = archive_root / ingest_id
    folder.mkdir(parents=True, exist_ok=False, mode=0o700)
    archive_root.chmod(0o700)
    folder.chmod(0o700)
    files = {ARCHIVE_BARS: result.bars, ARCHIVE_ACTIONS: result.actions}
    for name, frame in files.items():
        frame.write_parquet(folder / name)
        (folder / name).chmod(0o600)
        _fsync(folder / name)
    manifest = {
        **manifest,
        "files": {
            name: {"sha256": file_sha256(folder / name), "rows": frame.height}
            for name, frame in files.items()
        },
    }
    _write_durably(folder / ARCHIVE_MANIFEST, json.dumps(manifest, indent=2, default=str))
    _fsync(folder)
    return folder


def _record_outcome(archive_path: str | None, outcome: dict) -> None:
    """Best effort: the landing's outcome next to its archive (``landing.json``)."""
    if archive_path is None:
        return
    try:
        _write_durably(
            Path(archive_path) / ARCHIVE_OUTCOME, json.dumps(outcome, indent=2, default=str)
        )
    except OSError as exc:  # the warehouse is the record; the archive note is a convenience
        LOG.warning("could not record the landing outcome in %s: %s", archive_path, exc)


def land_fetch(
    warehouse: Warehouse,
    result: FetchResult,
    *,
    sessions: Sequence[date],
    symbols: Sequence[str],
    run_id: str | None = None,
    archive_root: Path | None = None,
    now: datetime | None = None,
) -> LandingReport:
    """Validate, archive and land ``result`` for ``sessions`` (see module doc)."""
    if not sessions:
        raise ValueError("land_fetch needs at least one session")
    started = now or datetime.now(UTC)
    ingest_id = uuid.uuid4().hex
    start, end = min(sessions), max(sessions)
    validated = validate_bars(result.bars, symbols=symbols, now=started)
    good, rejected = validated.good, validated.rejected
    received = sorted(good["ticker"].unique().to_list())
    # every ticker the source sent a row for (landed or rejected): its earlier rejects in
    # the range are replaced by this landing's
    delivered = sorted(set(received) | set(result.received))
    # failed symbols: what the source said, plus symbols whose every row was rejected
    failed = dict(result.failed)
    for sym in symbols:
        if sym not in received and sym not in failed:
            failed[sym] = (
                "every delivered row was rejected"
                if sym in result.received
                else "no rows delivered"
            )
    actions = result.actions.filter(pl.col("ex_date").is_between(start, end))
    tickers = pl.DataFrame({"ticker": delivered}, schema={"ticker": pl.String})

    archive_path = None
    manifest = {
        "ingest_id": ingest_id,
        "run_id": run_id,
        "source": result.source,
        "start": start,
        "end": end,
        "sessions": len(sessions),
        "symbols": list(symbols),
        "failed": result.failed,
        "fetched_at": started.isoformat(),
    }
    if archive_root is not None:
        archive_path = str(archive_fetch(result, archive_root, ingest_id, manifest))

    report = LandingReport(
        ingest_id=ingest_id,
        source=result.source,
        start=start,
        end=end,
        sessions=len(sessions),
        symbols_requested=list(symbols),
        symbols_received=received,
        failed=failed,
        rows_received=result.bars.height,
        rows_landed=good.height,
        rows_rejected=rejected.height,
        actions_landed=actions.height,
        archive_path=archive_path,
        rows_per_session={
            str(d): n
            for d, n in good.group_by("session_date").len().sort("session_date").iter_rows()
        },
        reject_reasons=dict(rejected.group_by("reason").len().iter_rows())
        if rejected.height
        else {},
    )

    def log_params(status: str, error: str | None, finished: datetime) -> list:
        return [
            ingest_id, run_id, result.source, start, end, len(sessions),
            len(symbols), len(received), len(failed), sorted(failed), json.dumps(failed, sort_keys=True),
            result.bars.height, good.height if status == "succeeded" else 0,
            rejected.height if status == "succeeded" else 0,
            actions.height if status == "succeeded" else 0,
            archive_path, status, error, started, finished,
        ]  # fmt: skip

    def outcome(status: str, finished: datetime, error: str | None = None) -> dict:
        return {"ingest_id": ingest_id, "status": status, "finished_at": finished.isoformat(),
                "rows_landed": report.rows_landed if status == "succeeded" else 0, "error": error}  # fmt: skip

    try:
        with warehouse.transaction() as con:
            con.register("incoming_bars", good.to_arrow())
            con.register("incoming_rejects", rejected.to_arrow())
            con.register("incoming_actions", actions.to_arrow())
            con.register("incoming_tickers", tickers.to_arrow())
            con.execute(
                load_sql("landing/record_restatements"),
                [RESTATEMENT_CLOSE_MOVE, RESTATEMENT_BASIS_CHANGE, ingest_id, started],
            )
            con.execute(load_sql("landing/delete_replaced_bars"))
            con.execute(load_sql("landing/insert_bars"), [result.source, started, ingest_id])
            con.execute(load_sql("landing/delete_replaced_rejects"), [start, end])
            con.execute(
                load_sql("landing/insert_rejects"), [result.source, ingest_id, run_id, started]
            )
            con.execute(
                load_sql("landing/upsert_corporate_actions"), [result.source, started, ingest_id]
            )
            finished = datetime.now(UTC)  # inside the lock: orders landings as committed
            con.execute(
                load_sql("landing/insert_ingest_run"), log_params("succeeded", None, finished)
            )
    except Exception as exc:
        finished = datetime.now(UTC)
        _record_outcome(archive_path, outcome("failed", finished, repr(exc)))
        if isinstance(exc, WarehouseLockedError):
            raise  # the failure cannot be logged in a warehouse that another process holds
        try:
            with warehouse.transaction() as con:
                con.execute(
                    load_sql("landing/insert_ingest_run"),
                    log_params("failed", repr(exc), finished),
                )
        except Exception:  # the warehouse itself is unusable: the original error matters more
            pass
        raise
    _record_outcome(archive_path, outcome("succeeded", finished))
    return report
