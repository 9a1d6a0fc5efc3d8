"""Landing fetched bars into ``raw.daily_bars``, one transaction per landing.

:func:`land_fetch` takes a :class:`~bellwether.sources.base.FetchResult` for a range of
sessions and

1. validates it (:func:`bellwether.bars.validate_bars`): good rows and rejected rows;
2. archives what the source delivered (Parquet under ``<archive>/<ingest_id>/``) so the
   landing can be rebuilt offline exactly as it was first made;
3. in ONE transaction: records restatements (a delivered bar whose close moved by more
   than 0.5% or whose ``adj_close`` basis changed against the stored one) in
   ``raw.restatements``, replaces the stored bars for every ``(ticker, session)`` delivered,
   replaces earlier rejects of the received tickers in the range, stores the new rejects,
   upserts corporate actions and logs the landing in ``raw.ingest_runs``.

If anything fails inside the transaction it is rolled back (every session is wholly old or
wholly new), a ``failed`` row is logged in ``raw.ingest_runs`` and the error propagates.
Bars the source did not deliver (a failed symbol, a missing session) are never deleted:
re-landing can only replace a bar with a new valid one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from bellwether.bars import validate_bars
from bellwether.sources.base import FetchResult
from bellwether.sqlfiles import load_sql
from bellwether.warehouse import Warehouse

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


def archive_fetch(result: FetchResult, archive_root: Path, ingest_id: str, manifest: dict) -> Path:
    """Write what the source delivered as Parquet under ``archive_root/<ingest_id>/`` (user-only)."""
    folder = archive_root / ingest_id
    folder.mkdir(parents=True, exist_ok=False, mode=0o700)
    archive_root.chmod(0o700)
    result.bars.write_parquet(folder / "bars.parquet")
    result.actions.write_parquet(folder / "corporate_actions.parquet")
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
    for p in folder.iterdir():
        p.chmod(0o600)
    return folder


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
    tickers = pl.DataFrame({"ticker": received}, schema={"ticker": pl.String})

    archive_path = None
    manifest = {
        "ingest_id": ingest_id,
        "run_id": run_id,
        "source": result.source,
        "start": start,
        "end": end,
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

    def log_params(status: str, error: str | None) -> list:
        return [
            ingest_id, run_id, result.source, start, end, len(sessions),
            len(symbols), len(received), len(failed), sorted(failed), json.dumps(failed, sort_keys=True),
            result.bars.height, good.height if status == "succeeded" else 0,
            rejected.height if status == "succeeded" else 0,
            actions.height if status == "succeeded" else 0,
            archive_path, status, error, started, datetime.now(UTC),
        ]  # fmt: skip

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
            con.execute(load_sql("landing/insert_ingest_run"), log_params("succeeded", None))
    except Exception as exc:
        try:
            with warehouse.transaction() as con:
                con.execute(load_sql("landing/insert_ingest_run"), log_params("failed", repr(exc)))
        except Exception:  # the warehouse itself is unusable: the original error matters more
            pass
        raise
    return report
