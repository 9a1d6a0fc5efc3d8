"""Bars from the archive of an earlier landing: rebuild a session offline, exactly.

Every landing archives what its source delivered under ``<archive>/<ingest_id>/``
(:func:`bellwether.landing.archive_fetch`): ``bars.parquet`` and
``corporate_actions.parquet`` as delivered (rows later rejected included), and
``manifest.json`` (written last) with the request (source, sessions, symbols), the
per-symbol failures the source reported, the time of the fetch and each file's SHA-256.
``landing.json`` records whether the landing then committed.

:class:`ArchiveSource` implements the source interface over one such folder: asked for the
landing's own symbols and range it returns exactly what the source delivered then, with
the same failures, so landing it again (:func:`replay_archive`, at the original fetch time)
stores the same bars, rejects and failure report. Asked for less, it returns that part;
asked for sessions outside the archived range, it refuses rather than leave a silent hole.
:func:`rebuild_from_archives` replays every committed landing of an archive folder in the
order they committed, each followed by its checks and marts as the run did: a lost
warehouse is rebuilt offline from the archive alone.

Select it with ``BELLWETHER_SOURCE=archive`` and ``BELLWETHER_ARCHIVE_INGEST=<ingest id>``
(``raw.ingest_runs.ingest_id``; or a folder inside ``BELLWETHER_ARCHIVE``). An ingest id is
32 lower-case hex digits; any other value is a folder that must resolve inside the archive
root (``..`` or a link that escapes it is refused).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl

from bellwether import settings
from bellwether.bars import CORPORATE_ACTION_SCHEMA, conform_source_bars
from bellwether.landing import (
    ARCHIVE_ACTIONS,
    ARCHIVE_BARS,
    ARCHIVE_MANIFEST,
    ARCHIVE_OUTCOME,
    LandingReport,
    file_sha256,
)
from bellwether.pipeline import run_pipeline
from bellwether.sources.base import FetchResult, SourceFormatError, SourceUnavailableError
from bellwether.sources.files import resolve_inside
from bellwether.symbols import validate_symbols
from bellwether.universe import UniverseConfig, default_universe
from bellwether.warehouse import Warehouse

#: An ingest id (``uuid4().hex``), the name of an archive folder.
INGEST_ID = re.compile(r"^[0-9a-f]{32}$")


def archive_folder(ingest: str | Path, root: Path | str | None = None) -> Path:
    """The folder of an archived landing: ``root/<ingest id>``, or a folder inside ``root``."""
    root = Path(root or settings.archive_dir()).resolve()
    if isinstance(ingest, str) and INGEST_ID.fullmatch(ingest):
        return root / ingest
    if not str(ingest).strip():
        raise ValueError("the archive source needs an ingest id (BELLWETHER_ARCHIVE_INGEST)")
    return resolve_inside(ingest, root)


class ArchiveSource:
    """The source response archived by one landing (see module doc)."""

    name = "archive"

    def __init__(self, ingest: str | Path, *, root: Path | str | None = None) -> None:
        self.folder = archive_folder(ingest, root)
        manifest_path = self.folder / ARCHIVE_MANIFEST
        if not self.folder.is_dir():
            raise SourceUnavailableError(
                f"no archive at {self.folder}; BELLWETHER_ARCHIVE_INGEST must be the ingest id of "
                "a landing (raw.ingest_runs.ingest_id) whose folder is in BELLWETHER_ARCHIVE"
            )
        if not manifest_path.is_file():
            raise SourceUnavailableError(
                f"archive {self.folder} has no {ARCHIVE_MANIFEST}: it was cut off before it was "
                "complete (the landing never started its transaction); it cannot be replayed"
            )
        try:
            manifest = json.loads(manifest_path.read_text())
            self.ingest_id = str(manifest["ingest_id"])
            self.source = str(manifest["source"])
            self.start = date.fromisoformat(str(manifest["start"]))
            self.end = date.fromisoformat(str(manifest["end"]))
            self.symbols = validate_symbols(manifest["symbols"])
            self.reported_failures = {str(k): str(v) for k, v in manifest["failed"].items()}
            self.fetched_at = datetime.fromisoformat(manifest["fetched_at"])
            # landings archived before these were recorded: the end of their range
            basis = manifest.get("basis_session")
            self.basis_session = date.fromisoformat(str(basis)) if basis else None
            self.actions_complete = bool(manifest.get("actions_complete", False))
            self.run_id = manifest.get("run_id")
            self.files = dict(manifest.get("files") or {})
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SourceFormatError(
                f"archive manifest {manifest_path} is malformed: {exc!r}"
            ) from exc
        if self.fetched_at.tzinfo is None:
            raise SourceFormatError(
                f"archive manifest {manifest_path}: fetched_at has no time zone"
            )
        if INGEST_ID.fullmatch(self.folder.name) and self.folder.name != self.ingest_id:
            raise SourceFormatError(
                f"archive {self.folder} holds the manifest of ingest {self.ingest_id}"
            )
        for name in (ARCHIVE_BARS, ARCHIVE_ACTIONS):
            path = self.folder / name
            if not path.is_file():
                raise SourceFormatError(f"archive {self.folder} is missing {name}")
            want = (self.files.get(name) or {}).get("sha256")
            if want is not None and file_sha256(path) != want:
                raise SourceFormatError(
                    f"archive file {path} does not match the SHA-256 in its manifest: the "
                    "archive is corrupt; restore it from a backup"
                )

    @property
    def outcome(self) -> dict | None:
        """``landing.json``: whether the landing committed (None when it never said)."""
        path = self.folder / ARCHIVE_OUTCOME
        try:
            return json.loads(path.read_text()) if path.is_file() else None
        except ValueError:
            return None

    @property
    def committed(self) -> bool:
        outcome = self.outcome
        return bool(outcome) and outcome.get("status") == "succeeded"

    def _read(self, name: str) -> pl.DataFrame:
        try:
            return pl.read_parquet(self.folder / name)
        except (pl.exceptions.ComputeError, OSError) as exc:
            raise SourceFormatError(
                f"cannot read archive file {self.folder / name}: {exc}"
            ) from exc

    def fetch(self, symbols: list[str], start: date, end: date) -> FetchResult:
        """What the source delivered for ``symbols`` on ``start..end`` (see module doc).

        Rows that no request could place (no or an unparseable date, a date outside the
        archived range, a ticker that was never requested) come back with every request,
        as they came with the original one, so that validation rejects them again.
        """
        if start < self.start or end > self.end:
            raise SourceUnavailableError(
                f"archive {self.ingest_id} holds {self.source} responses for {self.start}..{self.end}"
                f" only; {start}..{end} reaches outside it. Ask for sessions inside that range, or "
                "use the archive of the landing that covered them"
            )
        bars = conform_source_bars(self._read(ARCHIVE_BARS))
        actions = self._read(ARCHIVE_ACTIONS).select(
            [pl.col(c).cast(t) for c, t in CORPORATE_ACTION_SCHEMA.items()]
        )
        wanted = pl.Series(list(symbols), dtype=pl.String).implode()
        archived = pl.Series(self.symbols, dtype=pl.String).implode()
        ticker, day = pl.col("ticker"), pl.col("session_date")
        bars = bars.filter(
            (ticker.is_in(wanted) | ticker.is_null() | ~ticker.is_in(archived))
            & (day.is_between(start, end) | day.is_null() | ~day.is_between(self.start, self.end))
        )
        actions = actions.filter(
            pl.col("ticker").is_in(wanted) & pl.col("ex_date").is_between(start, end)
        )
        failed = {s: self.reported_failures[s] for s in symbols if s in self.reported_failures}
        for s in symbols:
            if s not in self.symbols:
                failed[s] = (
                    f"not in archive {self.ingest_id} ({self.source}, {self.start}..{self.end})"
                )
        return FetchResult(
            source=self.source, bars=bars, actions=actions, failed=failed,
            basis_session=self.basis_session, actions_complete=self.actions_complete,
        )  # fmt: skip


def list_archives(root: Path | str | None = None) -> tuple[list[ArchiveSource], dict[str, str]]:
    """Every replayable archive under ``root``, in the order their landings committed
    (``landing.json``; the fetch time where it is missing), and the folders that are not
    replayable with the reason."""
    root = Path(root or settings.archive_dir())
    found: list[ArchiveSource] = []
    skipped: dict[str, str] = {}
    if not root.is_dir():
        return found, skipped
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        try:
            found.append(ArchiveSource(folder.name, root=root))
        except (SourceUnavailableError, SourceFormatError, ValueError) as exc:
            skipped[folder.name] = str(exc)

    def order(a: ArchiveSource) -> tuple[str, str]:
        outcome = a.outcome or {}
        return (str(outcome.get("finished_at") or a.fetched_at.isoformat()), a.ingest_id)

    return sorted(found, key=order), skipped


def replay_archive(
    wh: Warehouse,
    archive: ArchiveSource,
    universe: UniverseConfig | None = None,
    *,
    check: bool = True,
    use_gx: bool = True,
    archive_root: Path | None = None,
) -> LandingReport:
    """Land ``archive`` again as it was first landed (its symbols, sessions and fetch time),
    then run the checks and build the marts on its range as the run did."""
    result = run_pipeline(
        wh, archive, universe or default_universe(), archive.start, archive.end,
        symbols=archive.symbols, now=archive.fetched_at, check=check, use_gx=use_gx,
        run_id=f"archive-replay:{archive.ingest_id}", archive_root=archive_root,
    )  # fmt: skip
    return result.landing


@dataclass
class Rebuild:
    """What :func:`rebuild_from_archives` replayed and what it left out, with why."""

    replayed: list[LandingReport] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def rebuild_from_archives(
    wh: Warehouse,
    root: Path | str | None = None,
    universe: UniverseConfig | None = None,
    *,
    ingest_ids: Sequence[str] | None = None,
    include_uncommitted: bool = False,
    use_gx: bool = True,
) -> Rebuild:
    """Replay the archived landings under ``root`` (all, or ``ingest_ids``) into ``wh`` in
    the order they committed. A landing that never committed (killed, or failed in its
    transaction) is skipped unless ``include_uncommitted``."""
    archives, skipped = list_archives(root)
    out = Rebuild(skipped=dict(skipped))
    wanted = set(ingest_ids) if ingest_ids is not None else None
    for archive in archives:
        if wanted is not None and archive.ingest_id not in wanted:
            continue
        if not archive.committed and not include_uncommitted:
            status = (archive.outcome or {}).get("status", "no outcome recorded")
            out.skipped[archive.ingest_id] = f"the landing did not commit ({status})"
            continue
        out.replayed.append(replay_archive(wh, archive, universe, use_gx=use_gx))
    return out
