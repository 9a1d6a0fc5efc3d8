"""Project folders and environment settings.

The project's folders (``sql/``, ``config/``, ``data/``) are defined here, and every
environment variable the product code reads is a field of :class:`Settings`
(pydantic-settings; the knobs of the test and bench harnesses, ``BELLWETHER_SOAK_*``,
``BELLWETHER_E2E*``, ``BENCH_*``, are read by ``tests/`` and ``bench/`` themselves),
read, typed and validated in one place: :func:`current` gives the settings of the
environment as it is now, and the functions below (``warehouse_path()``, ...) are its
fields for the callers that need one. A bad value is a :class:`SettingsError` (a
``ValueError``) naming the variable, its value and what it should be. Modules derive their
own files from these roots (e.g. a landing's archive folder inside ``archive_dir()``).

Environment variables (an empty value is the same as unset):

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
``BELLWETHER_REPORTS``
    Where market briefs are written (default ``<project>/reports``).
``BELLWETHER_GX_DOCS``
    Where Great Expectations Data Docs HTML is written (default ``<project>/data/gx_docs``).
``BELLWETHER_CHARTS``
    Where the Dagster UI's chart files are written (default ``charts/`` beside the
    warehouse file, ``orchestration.ui_metadata``).
"""

from __future__ import annotations

import os
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bellwether.shipped import CHECKOUT_ROOT, SHIPPED_ROOT, in_checkout

#: The checkout, or (an installed wheel) the working directory: writable files go below it.
PROJECT_ROOT: Path = CHECKOUT_ROOT if in_checkout() else Path.cwd()
#: Files that ship with the package (``bellwether.shipped``): the checkout's, or the wheel's.
SQL_DIR: Path = SHIPPED_ROOT / "sql"
CONFIG_DIR: Path = SHIPPED_ROOT / "config"
DOCS_DIR: Path = SHIPPED_ROOT / "docs"
SAMPLE_DIR: Path = SHIPPED_ROOT / "data" / "sample"
DATA_DIR: Path = PROJECT_ROOT / "data"
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
#: Sessions before its range that the scheduled daily run re-fetches by default.
DEFAULT_TRAILING_SESSIONS = 5
#: Bars (ticker x session rows) one chunk holds at most by default (``bellwether.chunks``).
DEFAULT_CHUNK_BARS = 1_500_000

SOURCE_KINDS: tuple[str, ...] = ("yfinance", "bundled", "files", "synthetic", "archive")


class SettingsError(ValueError):
    """An environment variable has a value the project cannot use."""


def _whole_number(raw: Any, low: int, high: int | None, expected: str) -> int:
    """``raw`` (an environment string, surrounding spaces allowed) as an int in
    ``[low, high]``; else a ``ValueError`` saying ``expected``."""
    if isinstance(raw, int):
        value = raw
    else:
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise ValueError(expected) from None
    if value < low or (high is not None and value > high):
        raise ValueError(expected)
    return value


class Settings(BaseSettings):
    """Every environment setting of the project, typed (the module docstring defines each);
    each field is read from the variable its alias names."""

    model_config = SettingsConfigDict(
        case_sensitive=True, env_ignore_empty=True, frozen=True, extra="ignore"
    )

    warehouse: Path = Field(DEFAULT_WAREHOUSE, validation_alias="BELLWETHER_WAREHOUSE")
    published: Path | None = Field(None, validation_alias="BELLWETHER_PUBLISHED")
    source: str = Field("yfinance", validation_alias="BELLWETHER_SOURCE")
    files_path: str | None = Field(None, validation_alias="BELLWETHER_FILES_PATH")
    files_root: Path = Field(DATA_DIR, validation_alias="BELLWETHER_FILES_ROOT")
    archive: Path = Field(DEFAULT_ARCHIVE, validation_alias="BELLWETHER_ARCHIVE")
    archive_ingest: str | None = Field(None, validation_alias="BELLWETHER_ARCHIVE_INGEST")
    reports: Path = Field(PROJECT_ROOT / "reports", validation_alias="BELLWETHER_REPORTS")
    gx_docs: Path = Field(DATA_DIR / "gx_docs", validation_alias="BELLWETHER_GX_DOCS")
    charts: Path | None = Field(None, validation_alias="BELLWETHER_CHARTS")
    chunk_bars: int = Field(DEFAULT_CHUNK_BARS, validation_alias="BELLWETHER_CHUNK_BARS")
    trailing_sessions: int = Field(
        DEFAULT_TRAILING_SESSIONS, validation_alias="BELLWETHER_TRAILING_SESSIONS"
    )
    catchup_sessions: int = Field(
        DEFAULT_CATCHUP_SESSIONS, validation_alias="BELLWETHER_CATCHUP_SESSIONS"
    )
    history_start: date = Field(DEFAULT_HISTORY_START, validation_alias="BELLWETHER_HISTORY_START")

    @field_validator("source", mode="before")
    @classmethod
    def _known_source(cls, raw: Any) -> str:
        if raw not in SOURCE_KINDS:
            raise ValueError(f"is not a known source; use one of {', '.join(SOURCE_KINDS)}")
        return raw

    @field_validator("chunk_bars", mode="before")
    @classmethod
    def _positive(cls, raw: Any) -> int:
        return _whole_number(raw, 1, None, "is not a positive integer")

    @field_validator("trailing_sessions", mode="before")
    @classmethod
    def _non_negative(cls, raw: Any) -> int:
        return _whole_number(raw, 0, None, "is not a whole number >= 0")

    @field_validator("catchup_sessions", mode="before")
    @classmethod
    def _window(cls, raw: Any) -> int:
        return _whole_number(
            raw,
            1,
            MAX_CATCHUP_SESSIONS,
            f"is not a whole number of sessions between 1 and {MAX_CATCHUP_SESSIONS}; "
            f"unset it for the default ({DEFAULT_CATCHUP_SESSIONS})",
        )

    @field_validator("history_start", mode="before")
    @classmethod
    def _iso_date(cls, raw: Any) -> date:
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValueError(
                f"is not a date: expected YYYY-MM-DD, e.g. {DEFAULT_HISTORY_START}"
            ) from None

    @property
    def published_path(self) -> Path:
        """``BELLWETHER_PUBLISHED``, else ``published/<name>`` beside ``BELLWETHER_WAREHOUSE``
        when that is set, else ``data/warehouse.duckdb``."""
        if self.published is not None:
            return self.published
        if "warehouse" in self.model_fields_set:
            return self.warehouse.parent / "published" / self.warehouse.name
        return DEFAULT_PUBLISHED


def current() -> Settings:
    """The settings of the environment as it is now (a changed variable takes effect at the
    next call); a bad value raises :class:`SettingsError`."""
    variables = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(_PREFIX)))
    return _read(variables)


_PREFIX = "BELLWETHER_"


@lru_cache(maxsize=8)
def _read(variables: tuple[tuple[str, str], ...]) -> Settings:
    """:class:`Settings` from the environment, whose ``BELLWETHER_*`` variables are
    ``variables`` (the cache key: reading them through pydantic-settings takes about 2 ms)."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{error['loc'][0]}={error['input']!r} {message}")
        raise SettingsError("; ".join(problems)) from None


def warehouse_path() -> Path:
    """The writer's private file: ``$BELLWETHER_WAREHOUSE`` or ``data/writer/warehouse.duckdb``."""
    return current().warehouse


def published_path() -> Path:
    """The published warehouse readers open (:attr:`Settings.published_path`)."""
    return current().published_path


def archive_dir() -> Path:
    """Folder for archived source responses: ``$BELLWETHER_ARCHIVE`` or ``data/archive``."""
    return current().archive


def archive_ingest() -> str | None:
    """For the ``archive`` source: ``$BELLWETHER_ARCHIVE_INGEST`` (an ingest id or folder)."""
    return current().archive_ingest


def source_kind() -> str:
    """The configured bar source kind, validated."""
    return current().source


def files_path() -> str | None:
    """For the ``files`` source: ``$BELLWETHER_FILES_PATH``."""
    return current().files_path


def reports_dir() -> Path:
    """Where market briefs are written: ``$BELLWETHER_REPORTS`` or ``<project>/reports``."""
    return current().reports


def files_root() -> Path:
    """Root folder that the ``files`` source may read from (no path may escape it)."""
    return current().files_root.resolve()


def gx_docs_dir() -> Path:
    """Where Data Docs HTML is written: ``$BELLWETHER_GX_DOCS`` or ``data/gx_docs``."""
    return current().gx_docs.resolve()


def trailing_sessions() -> int:
    """``$BELLWETHER_TRAILING_SESSIONS`` (a whole number >= 0) or 5."""
    return current().trailing_sessions


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
    return current().catchup_sessions


def history_start() -> date:
    """First date of the partition set: ``$BELLWETHER_HISTORY_START`` or 2024-01-02."""
    return current().history_start
