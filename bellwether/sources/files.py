"""Bars from CSV or Parquet files in the bundled format.

The format is the header ``date,ticker,open,high,low,close,adj_close,volume`` (exactly
these columns, any order), one row per ticker and session, ISO dates. A folder is read as
every ``*.csv`` and ``*.parquet`` in it; a file named ``corporate_actions.csv`` (or
``.parquet``) in the folder holds corporate actions with the header
``ticker,ex_date,action,value`` (``action`` is ``dividend`` or ``split``).

Cells are read as text and parsed here, so a bad cell is reported with its value rather
than failing the file: such rows carry a ``parse_error`` and are rejected by validation.
A file with missing or unexpected columns is a :class:`SourceFormatError` naming them.
Paths must resolve inside the files root (``BELLWETHER_FILES_ROOT``, default ``data/``):
``..`` or a link that escapes it is refused.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl

from bellwether.bars import (
    CORPORATE_ACTION_SCHEMA,
    PRICE_COLUMNS,
    conform_source_bars,
    empty_actions,
)
from bellwether.calendar import last_closed_session
from bellwether.settings import files_root
from bellwether.sources.base import FetchResult, SourceFormatError, SourceUnavailableError

FILE_COLUMNS: tuple[str, ...] = (
    "date",
    "ticker",
    "open",
    "high",
    "low",
    "close",
    "adj_close",
    "volume",
)
ACTION_FILE_STEM = "corporate_actions"


class UnsafePathError(ValueError):
    """A file-source path that escapes the allowed root."""


def resolve_inside(path: Path | str, root: Path) -> Path:
    """Resolve ``path`` (relative paths against ``root``) and insist it stays inside ``root``."""
    root = root.resolve()
    raw = Path(path)
    candidate = (raw if raw.is_absolute() else root / raw).resolve()
    if candidate != root and root not in candidate.parents:
        raise UnsafePathError(
            f"file source path {str(path)!r} resolves to {candidate}, outside the allowed root {root}"
        )
    return candidate


TRUNCATED = "file does not end with a newline: its last row may be truncated"


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return True
        fh.seek(-1, 2)
        return fh.read(1) == b"\n"


def _read_text_frame(path: Path) -> pl.DataFrame:
    """Read a CSV or Parquet file with every column as text.

    A CSV whose last byte is not a newline was probably cut off mid-row: its last row gets
    a ``_truncated`` flag so that validation rejects it rather than land a partial number.
    """
    try:
        if path.suffix == ".parquet":
            df = pl.read_parquet(path)
            return df.select(pl.all().cast(pl.String))
        df = pl.read_csv(path, infer_schema=False)
        if not _ends_with_newline(path) and df.height:
            df = df.with_columns((pl.int_range(pl.len()) == pl.len() - 1).alias("_truncated"))
        return df
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, OSError) as exc:
        raise SourceFormatError(f"cannot read {path}: {exc}") from exc


def _check_columns(df: pl.DataFrame, expected: tuple[str, ...], path: Path) -> None:
    present = [c for c in df.columns if c != "_truncated"]
    missing = [c for c in expected if c not in present]
    extra = [c for c in present if c not in expected]
    if missing or extra:
        raise SourceFormatError(
            f"{path}: wrong columns; missing {missing or 'none'}, unexpected {extra or 'none'}; "
            f"expected the header {','.join(expected)}"
        )


def _parse_number(col: str) -> tuple[pl.Expr, pl.Expr]:
    text = pl.col(col).str.strip_chars()
    value = text.cast(pl.Float64, strict=False)
    error = (
        pl.when(text.is_not_null() & (text != "") & value.is_null())
        .then(pl.format(f"unparseable {col}: '{{}}'", text))
        .otherwise(None)
    )
    return value.alias(col), error


def parse_bar_text(df: pl.DataFrame) -> pl.DataFrame:
    """Parse a text frame in the file format into a source frame with parse errors."""
    date_text = pl.col("date").str.strip_chars()
    parsed_date = date_text.str.to_date("%Y-%m-%d", strict=False)
    errors = [
        pl.when(date_text.is_not_null() & parsed_date.is_null())
        .then(pl.format("unparseable date: '{}'", date_text))
        .otherwise(None)
    ]
    if "_truncated" in df.columns:
        errors.append(pl.when(pl.col("_truncated")).then(pl.lit(TRUNCATED)).otherwise(None))
    values = []
    for col in (*PRICE_COLUMNS, "volume"):
        v, e = _parse_number(col)
        values.append(v)
        errors.append(e)
    out = df.select(
        pl.col("ticker").str.strip_chars().alias("ticker"),
        parsed_date.alias("session_date"),
        *values,
        pl.concat_list(errors).list.drop_nulls().list.join("; ").alias("parse_error"),
    ).with_columns(
        pl.when(pl.col("parse_error") == "")
        .then(None)
        .otherwise(pl.col("parse_error"))
        .alias("parse_error")
    )
    return conform_source_bars(out)


def _parse_actions(df: pl.DataFrame, path: Path) -> pl.DataFrame:
    _check_columns(df, tuple(CORPORATE_ACTION_SCHEMA), path)
    out = df.select(
        pl.col("ticker").str.strip_chars(),
        pl.col("ex_date").str.strip_chars().str.to_date("%Y-%m-%d", strict=False),
        pl.col("action").str.strip_chars(),
        pl.col("value").str.strip_chars().cast(pl.Float64, strict=False),
    )
    bad = out.filter(
        pl.col("ex_date").is_null()
        | pl.col("value").is_null()
        | ~pl.col("action").is_in(["dividend", "split"])
        | (pl.col("value") <= 0)
    )
    if bad.height:
        raise SourceFormatError(
            f"{path}: {bad.height} malformed corporate action row(s): {bad.head(5).rows()}"
        )
    return out


def _drop_cross_file_copies(bars: pl.DataFrame) -> pl.DataFrame:
    """Keep one of identical rows that stand in several files of a folder (the bundled
    HBAN and RF rows are in both sample files); copies inside one file are kept so that
    validation reports them as duplicates."""
    values = [c for c in bars.columns if c != "_file"]
    return bars.filter(pl.col("_file") == pl.col("_file").min().over(values, order_by=None)).drop(
        "_file"
    )


class FileSource:
    """CSV/Parquet files (or a folder of them) in the bundled format."""

    def __init__(
        self,
        path: Path | str,
        *,
        root: Path | None = None,
        name: str = "files",
        basis_session: date | None = None,
    ) -> None:
        self.root = (root or files_root()).resolve()
        self.path = resolve_inside(path, self.root)
        self.name = name
        #: the session through which the files' values reflect corporate actions; default
        #: the last (closed) session in the files, as for a snapshot downloaded then
        self.basis_session = basis_session

    def _files(self) -> tuple[list[Path], list[Path]]:
        if not self.path.exists():
            raise SourceUnavailableError(
                f"file source {self.path} does not exist; set BELLWETHER_FILES_PATH to a CSV or "
                "Parquet file (or folder) inside the files root, or use BELLWETHER_SOURCE=bundled"
            )
        if self.path.is_file():
            candidates = [self.path]
        else:
            candidates = sorted(p for p in self.path.iterdir() if p.suffix in (".csv", ".parquet"))
        bars, actions = [], []
        for p in candidates:
            resolve_inside(p, self.root)  # a link inside the folder must not escape either
            (actions if p.stem == ACTION_FILE_STEM else bars).append(p)
        if not bars:
            raise SourceUnavailableError(
                f"file source {self.path} holds no .csv or .parquet bar files"
            )
        return bars, actions

    def fetch(
        self, symbols: list[str], start: date, end: date, *, now: datetime | None = None
    ) -> FetchResult:
        """Rows for ``symbols`` in ``[start, end]``, plus any row of theirs that cannot be
        placed in time (unparseable or future date), so that validation reports it."""
        from datetime import UTC

        now = now or datetime.now(UTC)
        closed_until = last_closed_session(now)
        bar_files, action_files = self._files()
        frames = []
        snapshot: date | None = None  # the files' last session: the basis of their values
        wanted = pl.Series(symbols, dtype=pl.String).implode()
        for n, p in enumerate(bar_files):
            text = _read_text_frame(p)
            _check_columns(text, FILE_COLUMNS, p)
            text = text.filter(pl.col("ticker").str.strip_chars().is_in(wanted))
            parsed = parse_bar_text(text)
            keep = (
                pl.col("session_date").is_between(start, end)
                | pl.col("session_date").is_null()
                | (pl.col("session_date") > closed_until)
            )
            frames.append(parsed.filter(keep).with_columns(pl.lit(n).alias("_file")))
            last = (
                parsed["session_date"]
                .drop_nulls()
                .filter(parsed["session_date"].drop_nulls() <= closed_until)
                .max()
            )
            snapshot = (
                last if snapshot is None or (last is not None and last > snapshot) else snapshot
            )
        bars = _drop_cross_file_copies(pl.concat(frames))
        action_frames = [_parse_actions(_read_text_frame(p), p) for p in action_files]
        actions = (
            pl.concat(action_frames).filter(
                pl.col("ticker").is_in(wanted) & pl.col("ex_date").is_between(start, end)
            )
            if action_frames
            else empty_actions()
        )
        present = set(bars["ticker"].drop_nulls().unique().to_list())
        failed = {
            s: f"no rows in {self.name} source for {start}..{end}"
            for s in symbols
            if s not in present
        }
        return FetchResult(
            source=self.name, bars=bars, actions=actions, failed=failed,
            basis_session=self.basis_session or snapshot, actions_complete=bool(action_files),
        )  # fmt: skip
