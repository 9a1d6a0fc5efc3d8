"""Project paths and environment settings.

Every path the code reads or writes is derived here so that the rest of the code never
guesses where the project lives.

Environment variables:

``BELLWETHER_WAREHOUSE``
    Path of the writer's private DuckDB file, the one runs write (default
    ``<project>/data/writer/warehouse.duckdb``). Nobody else should open it.
``BELLWETHER_PUBLISHED``
    Path of the published warehouse, the file SQL users, the brief and ``bellwether status``
    read (``bellwether.publish``): a consistent state swapped in after every successful run,
    readable by DuckDB 1.5 clients. Default ``<project>/data/warehouse.duckdb``; when only
    ``BELLWETHER_WAREHOUSE`` is set, ``published/<its name>`` in that file's folder.
``BELLWETHER_PUBLISH_KEEP``
    How many published states stay openable (``bellwether.publish.open_state``,
    ``bellwether sql --state N``): each is one generation file, a copy of the warehouse on
    disk. A whole number from 2 to 26; default 3.
``BELLWETHER_SOURCE``
    Bar source: ``yfinance`` (default in code, needs Yahoo), ``bundled`` (the real sample
    shipped in ``data/sample``; the Makefile's default), ``files`` or ``synthetic`` (a
    deterministic generated market of any size, ``bellwether.sources.synthetic``).
``BELLWETHER_FILES_PATH``
    For the ``files`` source: a CSV or Parquet file, or a folder of them, inside
    ``BELLWETHER_FILES_ROOT`` (default ``<project>/data``).
``BELLWETHER_ARCHIVE``
    Folder where every source response used for a landing is archived
    (default ``<project>/data/archive``).
``BELLWETHER_CHUNK_BARS``
    Bars (ticker x session rows) one chunk of a range holds at most (default 1,500,000):
    a run works through its range chunk by chunk to bound memory (``bellwether.chunks``).
``BELLWETHER_TRAILING_SESSIONS``
    How many sessions before its range the scheduled daily run fetches again (default 5,
    ``0`` to switch it off): Yahoo corrects the latest bars after the close.
``BELLWETHER_HISTORY_START``
    First session of the Dagster partition set (``YYYY-MM-DD``, default ``2024-01-02``, the
    bundled sample's first session): the UI counts partitions, "missing" ones and the
    asset's share filled from here. A non-session date starts at the next session. Set it
    to the first session you mean to backfill (e.g. ``2000-01-03`` for live data since
    2000); it cannot be before 1990-01-02, the start of the session calendar.
``BELLWETHER_ARCHIVE_INGEST``
    For the ``archive`` source (replay an archived landing offline,
    ``bellwether.sources.archive``): the landing's ingest id, or a folder inside
    ``BELLWETHER_ARCHIVE``.
``BELLWETHER_CATCHUP_SESSIONS``
    The catch-up window (default 10): at every tick the schedule asks for ONE run over the
    sessions of the last N that ``raw/daily_bars`` is missing, and the ``freshness`` check
    explains every session of those N that has no bar (``bellwether.catchup``). Older gaps
    are named with the command that fills them, never filled automatically.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

PROJECT_ROOT: Path = Path(__file__).resolve().parent.parent
SQL_DIR: Path = PROJECT_ROOT / "sql"
CONFIG_DIR: Path = PROJECT_ROOT / "config"
DATA_DIR: Path = PROJECT_ROOT / "data"
SAMPLE_DIR: Path = DATA_DIR / "sample"
UNIVERSE_FILE: Path = CONFIG_DIR / "universe.yaml"

#: The writer's private file (``BELLWETHER_WAREHOUSE``): only runs open it.
DEFAULT_WAREHOUSE: Path = DATA_DIR / "writer" / "warehouse.duckdb"
#: The published file (``BELLWETHER_PUBLISHED``): what readers open.
DEFAULT_PUBLISHED: Path = DATA_DIR / "warehouse.duckdb"
DEFAULT_ARCHIVE: Path = DATA_DIR / "archive"

DEFAULT_CATCHUP_SESSIONS = 10
#: A catch-up run is one range run: a window of a year of sessions is the most it may ask for.
MAX_CATCHUP_SESSIONS = 252
#: The bundled sample's first session: the default start of the partition set.
DEFAULT_HISTORY_START: date = date(2024, 1, 2)

SOURCE_KINDS: tuple[str, ...] = ("yfinance", "bundled", "files", "synthetic", "archive")


def warehouse_path() -> Path:
    """The writer's private file: ``$BELLWETHER_WAREHOUSE`` or ``data/writer/warehouse.duckdb``."""
    return Path(os.environ.get("BELLWETHER_WAREHOUSE") or DEFAULT_WAREHOUSE)


def published_path() -> Path:
    """The published warehouse readers open: ``$BELLWETHER_PUBLISHED``, else
    ``published/<name>`` beside ``$BELLWETHER_WAREHOUSE`` when that is set, else
    ``data/warehouse.duckdb``."""
    if os.environ.get("BELLWETHER_PUBLISHED"):
        return Path(os.environ["BELLWETHER_PUBLISHED"])
    if os.environ.get("BELLWETHER_WAREHOUSE"):
        writer = Path(os.environ["BELLWETHER_WAREHOUSE"])
        return writer.parent / "published" / writer.name
    return DEFAULT_PUBLISHED


def archive_dir() -> Path:
    """Folder for archived source responses: ``$BELLWETHER_ARCHIVE`` or ``data/archive``."""
    return Path(os.environ.get("BELLWETHER_ARCHIVE") or DEFAULT_ARCHIVE)


def archive_ingest() -> str | None:
    """For the ``archive`` source: ``$BELLWETHER_ARCHIVE_INGEST`` (an ingest id or folder)."""
    return os.environ.get("BELLWETHER_ARCHIVE_INGEST") or None


def source_kind() -> str:
    """The configured bar source kind, validated."""
    kind = os.environ.get("BELLWETHER_SOURCE") or "yfinance"
    if kind not in SOURCE_KINDS:
        raise ValueError(
            f"BELLWETHER_SOURCE={kind!r} is not a known source; use one of {', '.join(SOURCE_KINDS)}"
        )
    return kind


def reports_dir() -> Path:
    """Where market briefs are written: ``$BELLWETHER_REPORTS`` or ``<project>/reports``."""
    return Path(os.environ.get("BELLWETHER_REPORTS") or PROJECT_ROOT / "reports")


def files_root() -> Path:
    """Root folder that the ``files`` source may read from (no path may escape it)."""
    return Path(os.environ.get("BELLWETHER_FILES_ROOT") or DATA_DIR).resolve()


#: Sessions before its range that the scheduled daily run re-fetches by default.
DEFAULT_TRAILING_SESSIONS = 5


def trailing_sessions() -> int:
    """``$BELLWETHER_TRAILING_SESSIONS`` (a whole number >= 0) or 5."""
    raw = os.environ.get("BELLWETHER_TRAILING_SESSIONS")
    if not raw:
        return DEFAULT_TRAILING_SESSIONS
    if not raw.isdigit():
        raise ValueError(f"BELLWETHER_TRAILING_SESSIONS={raw!r} is not a whole number >= 0")
    return int(raw)


#: Published states kept openable by default (the current one and the two before it).
DEFAULT_PUBLISH_KEEP = 3


def publish_keep() -> int:
    """``$BELLWETHER_PUBLISH_KEEP`` (2 to 26) or 3: the published states kept openable."""
    raw = (os.environ.get("BELLWETHER_PUBLISH_KEEP") or "").strip()
    if not raw:
        return DEFAULT_PUBLISH_KEEP
    if not raw.isdigit() or not 2 <= int(raw) <= 26:
        raise ValueError(f"BELLWETHER_PUBLISH_KEEP={raw!r} is not a whole number from 2 to 26")
    return int(raw)


def catchup_sessions() -> int:
    """The catch-up window in sessions: ``$BELLWETHER_CATCHUP_SESSIONS`` or 10, validated."""
    raw = (os.environ.get("BELLWETHER_CATCHUP_SESSIONS") or "").strip()
    if not raw:
        return DEFAULT_CATCHUP_SESSIONS
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_CATCHUP_SESSIONS:
        raise ValueError(
            f"BELLWETHER_CATCHUP_SESSIONS={raw!r} is not a whole number of sessions between 1 "
            f"and {MAX_CATCHUP_SESSIONS}; unset it for the default ({DEFAULT_CATCHUP_SESSIONS})"
        )
    return n


def history_start() -> date:
    """First date of the partition set: ``$BELLWETHER_HISTORY_START`` or 2024-01-02."""
    text = (os.environ.get("BELLWETHER_HISTORY_START") or "").strip()
    if not text:
        return DEFAULT_HISTORY_START
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"BELLWETHER_HISTORY_START={text!r} is not a date: expected YYYY-MM-DD, "
            f"e.g. {DEFAULT_HISTORY_START}"
        ) from None
