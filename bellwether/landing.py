"""Landing fetched bars into ``raw.daily_bars``, one transaction per landing.

:func:`land_fetch` takes a :class:`~bellwether.sources.base.FetchResult` for a range of
sessions and

1. validates it (:func:`bellwether.bars.validate_bars`): good rows and rejected rows;
2. archives what the source delivered (Parquet under ``<archive>/<ingest_id>/``, with a
   ``manifest.json`` holding the request and the files' SHA-256, written last) so the
   landing can be rebuilt offline exactly as it was first made
   (:class:`bellwether.sources.archive.ArchiveSource`); once the transaction has committed
   or failed, ``landing.json`` there records the outcome;
3. in ONE transaction: lands new, revised and withdrawn corporate actions; brings the
   delivered bars, and the stored history of every ticker whose actions changed or became
   effective, onto the basis of every known action (:mod:`bellwether.rebasing`, logged in
   ``raw.rebasings``); records restatements (a delivered bar whose close moved by more than
   0.5% or whose ``adj_close`` basis changed against the stored one) in
   ``raw.restatements``; replaces the stored bars whose values changed (a bar delivered
   again with the same values is not rewritten: its ingest id stays that of the landing
   that last changed it); queues the mart rebuilds those changes imply
   (:mod:`bellwether.invalidation`); replaces earlier rejects of the delivered tickers in
   the range (and any earlier reject identical to a new one, so re-landing the same input
   is idempotent), stores the new rejects and logs the landing in ``raw.ingest_runs``.

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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from bellwether import invalidation, rebasing
from bellwether.bars import validate_bars
from bellwether.sources.base import FetchResult
from bellwether.sqlfiles import load_sql
from bellwether.warehouse import Warehouse, WarehouseLockedError

LOG = logging.getLogger(__name__)

#: A re-landed bar is a restatement when its close moved by more than this (relative) ...
RESTATEMENT_CLOSE_MOVE = 0.005
#: ... or its adj_close/close ratio (the adjustment basis) changed by more than this.
RESTATEMENT_BASIS_CHANGE = 1e-6
#: A delivered adj_close or dividend factor this close (relative) to the stored one is the
#: same value: stored divided by the ticker's ``raw.adj_close_scale`` and read multiplied by
#: it, a value can come back moved by its last bit (about 1e-16), never by more than this.
SCALED_VALUE_REL_TOL = 1e-12


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
    #: what the landing changed in the stored bars (see :class:`BarChanges`)
    rows_changed: BarChanges | None = None

    def summary(self) -> str:
        """One line for logs."""
        failed = f", failed: {', '.join(sorted(self.failed))}" if self.failed else ""
        return (
            f"{self.source}: {self.rows_landed} bars landed for {len(self.symbols_received)}/"
            f"{len(self.symbols_requested)} symbols over {self.sessions} sessions "
            f"{self.start}..{self.end}; {self.rows_rejected} rejected{failed}"
        )


@dataclass
class BarChanges:
    """What a landing changed: bars inserted or rewritten with new values, bars delivered
    again unchanged (not rewritten), stored bars re-based for corporate actions, and the
    earliest changed session (the start of the marts' rebuild)."""

    bars_written: int = 0
    bars_unchanged: int = 0
    bars_rebased: int = 0
    earliest_change: date | None = None
    rebasings: list[dict] = field(default_factory=list)


#: Files of an archived landing (see :func:`archive_fetch`).
ARCHIVE_BARS = "bars.parquet"
ARCHIVE_ACTIONS = "corporate_actions.parquet"
ARCHIVE_MANIFEST = "manifest.json"
ARCHIVE_OUTCOME = "landing.json"


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _write_durably(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` user-only via a temporary file and a rename (atomic)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def fsync_path(path: Path) -> None:
    """Flush a file or folder to disk (os.fsync of a read-only descriptor)."""
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
        fsync_path(folder / name)
    manifest = {
        **manifest,
        "files": {
            name: {"sha256": file_sha256(folder / name), "rows": frame.height}
            for name, frame in files.items()
        },
    }
    _write_durably(folder / ARCHIVE_MANIFEST, json.dumps(manifest, indent=2, default=str))
    fsync_path(folder)
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


_ACTION_SCHEMA = {
    "ticker": pl.String,
    "ex_date": pl.Date,
    "action": pl.String,
    "value": pl.Float64,
    "basis_session": pl.Date,
    "applied_at": pl.Datetime("us", "UTC"),
}
_ALL_COLUMNS = ["open", "high", "low", "close", "adj_close", "volume"]


def _read(con, name: str, params: list) -> pl.DataFrame:
    return con.sql(load_sql(name), params=params).pl()


#: How far before a landing's first session its stored last sessions are looked for first.
_RECENT_BARS = timedelta(days=31)


def _last_sessions(con, tickers: list[str], start: date) -> pl.DataFrame:
    """``ticker, last_session``: the last stored session of each of ``tickers`` that has a
    stored bar. Read from the month before ``start`` on first (the row groups of the
    recent sessions only, in a daily run), then over the whole history for the tickers
    without a bar since then: a ticker's last session is the same either way."""
    out = pl.DataFrame(schema={"ticker": pl.String, "last_session": pl.Date})
    if not tickers:
        return out
    recent = _read(con, "landing/last_sessions", [tickers, start - _RECENT_BARS])
    rest = sorted(set(tickers) - set(recent["ticker"].to_list()))
    older = _read(con, "landing/last_sessions", [rest, None]) if rest else out
    return pl.concat([out, recent.cast(out.schema), older.cast(out.schema)])


def _land_bars_and_actions(
    con,
    good: pl.DataFrame,
    incoming_actions: pl.DataFrame,
    *,
    delivered: list[str],
    start: date,
    end: date,
    basis: date,
    actions_complete: bool,
    source: str,
    ingest_id: str,
    run_id: str | None,
    now: datetime,
) -> BarChanges:
    """Inside the landing's transaction: land actions and bars on the basis of every known
    action, re-base stored history where actions changed, record restatements, write only
    what changed and queue the mart rebuilds it implies (module doc, steps 3)."""
    out = BarChanges()
    incoming = good.with_columns(
        pl.lit(basis, dtype=pl.Date).alias("basis_session"),
        pl.lit(1.0).alias("split_factor"),
        pl.lit(1.0).alias("dividend_factor"),
        pl.lit(None, dtype=pl.Int64).alias("delivered_volume"),
    )
    action_tickers_in = sorted(set(incoming_actions["ticker"].to_list()))
    tickers = sorted(set(delivered) | set(action_tickers_in))
    stored_actions = _read(con, "landing/read_actions_for", [tickers]).cast(_ACTION_SCHEMA)
    new_actions = incoming_actions.select(
        "ticker", "ex_date", "action", "value", pl.lit(basis, dtype=pl.Date).alias("basis_session")
    )
    key = ["ticker", "ex_date", "action"]
    # new or revised (a different value); identical re-deliveries stay as stored
    revised = new_actions.join(stored_actions.select(*key, "value"), on=[*key, "value"], how="anti")
    withdrawn = (
        stored_actions.filter(
            pl.col("ticker").is_in(delivered), pl.col("ex_date").is_between(start, end)
        ).join(new_actions, on=key, how="anti")
        if actions_complete
        else stored_actions.clear()
    )
    changed_tickers = set(revised["ticker"].to_list()) | set(withdrawn["ticker"].to_list())
    # effective: the ticker has a bar on or after the ex-date (stored, or landing now)
    incoming_last = incoming.group_by("ticker").agg(pl.col("session_date").max().alias("_in_last"))
    need_last = sorted(changed_tickers)
    stored_last = _last_sessions(con, need_last, start)
    lasts = incoming_last.join(stored_last, on="ticker", how="full", coalesce=True).select(
        "ticker", pl.max_horizontal("_in_last", "last_session").alias("last_session")
    )
    actions = (
        stored_actions.join(withdrawn.select(key), on=key, how="anti")
        .join(revised.select(key), on=key, how="anti")
        .vstack(
            revised.with_columns(
                pl.lit(None, dtype=_ACTION_SCHEMA["applied_at"]).alias("applied_at")
            )
        )
        .join(lasts, on="ticker", how="left")
    )
    effective = actions.filter(
        pl.col("applied_at").is_not_null()
        | (pl.col("last_session").is_not_null() & (pl.col("ex_date") <= pl.col("last_session")))
    )
    newly = effective.filter(pl.col("applied_at").is_null())
    # incoming bars delivered on an older basis than an effective action of their ticker
    stale = (
        incoming.join(effective.select("ticker", "ex_date"), on="ticker", how="inner")
        .filter(pl.col("ex_date") > pl.max_horizontal("session_date", "basis_session"))["ticker"]
        .unique()
        .to_list()
    )
    rebase_tickers = sorted(changed_tickers | set(newly["ticker"].to_list()) | set(stale))
    # tickers whose stored history moves by one factor (dividends going ex after all of
    # it): their incoming bars are re-based and their scale multiplied, nothing rewritten
    scaled = _scale_rebasings(con, incoming, rebase_tickers, newly, withdrawn, effective, start)
    rebase_tickers = sorted(set(rebase_tickers) - set(scaled.tickers))

    writes = incoming.filter(~pl.col("ticker").is_in([*rebase_tickers, *scaled.tickers]))
    rebased_stored = pl.DataFrame()
    if scaled.tickers:
        writes = pl.concat([writes, scaled.incoming.select(writes.columns)], how="vertical_relaxed")
        theirs = pl.col("ticker").is_in(scaled.tickers)
        out.rebasings = [
            {**row, "rebased_by": "scale" if row["ticker"] in scaled.scaled else "rewrite"}
            for row in _rebasing_log(
                scaled.bars,
                scaled.actions,
                revised.filter(theirs),
                withdrawn.clear(),
                newly.filter(theirs),
                stored_actions.filter(theirs),
                scaled.bars.clear(),  # no stored bar rewritten
            )
        ]
        if scaled.scales.height:
            con.register("incoming_scales", scaled.scales.to_arrow())
            con.execute(load_sql("landing/multiply_adj_close_scale"))
            con.unregister("incoming_scales")
    if rebase_tickers:
        # the actions of the re-based tickers only: every stored action of every delivered
        # ticker would make this grow with history
        acts = effective.filter(pl.col("ticker").is_in(rebase_tickers)).select(
            "ticker", "ex_date", "action", "value", "basis_session"
        )
        moved_splits = {
            t
            for frame in (revised, withdrawn, newly)
            for t, action in frame.select("ticker", "action").iter_rows()
            if action == "split"
        }
        merged, rebased = _rebase(con, incoming, rebase_tickers, moved_splits, acts)
        writes = pl.concat(
            [writes, rebased.filter(pl.col("_incoming")).select(writes.columns)],
            how="vertical_relaxed",
        )
        rebased_stored = rebased.filter(~pl.col("_incoming") & pl.col("factors_changed"))
        out.rebasings += [
            {**row, "rebased_by": "rewrite"}
            for row in _rebasing_log(
                merged,
                acts,
                revised.filter(pl.col("ticker").is_in(rebase_tickers)),
                withdrawn,
                newly.filter(pl.col("ticker").is_in(rebase_tickers)),
                stored_actions.filter(pl.col("ticker").is_in(rebase_tickers)),
                rebased_stored,
            )
        ]

    # actions: store new/revised (applied now when effective), drop withdrawn, mark applied
    revised_rows = revised.join(
        effective.select(*key, pl.lit(now).alias("applied_at")), on=key, how="left"
    )
    # (each statement only when it has rows: a join with an empty frame still reads the
    # stored actions, which grow with history)
    if revised_rows.height:
        con.register("incoming_actions", revised_rows.to_arrow())
        con.execute(load_sql("landing/upsert_corporate_actions"), [source, now, ingest_id])
    if withdrawn.height:
        con.register("withdrawn_actions", withdrawn.select(key).to_arrow())
        con.execute(load_sql("landing/delete_withdrawn_actions"))
    if newly.height:
        con.register("applied_actions", newly.select(key).to_arrow())
        con.execute(load_sql("landing/mark_actions_applied"), [now])

    # bars: compare on the final basis, write only what changed
    con.register("incoming_bars", writes.to_arrow())
    span = [writes["session_date"].min(), writes["session_date"].max()]
    compared = con.sql(load_sql("landing/compare_bars"), params=[SCALED_VALUE_REL_TOL, *span]).pl()
    changed = compared.filter(
        (pl.col("changed_columns").list.len() > 0) | pl.col("factors_changed")
    )
    to_write = writes.join(
        changed.select("ticker", "session_date"), on=["ticker", "session_date"], how="semi"
    )
    out.bars_written = to_write.height
    out.bars_unchanged = writes.height - to_write.height
    con.execute(
        load_sql("landing/record_restatements"),
        [RESTATEMENT_CLOSE_MOVE, RESTATEMENT_BASIS_CHANGE, ingest_id, now],
    )
    con.register("incoming_writes", to_write.to_arrow())
    con.execute(load_sql("landing/delete_replaced_bars"))
    con.execute(load_sql("landing/insert_bars"), [source, now, ingest_id])
    if rebased_stored.height:
        # a split moves every price; a dividend only adj_close: write only what moved
        split = rebased_stored.filter(pl.col("split_changed"))
        dividend = rebased_stored.filter(~pl.col("split_changed"))
        if split.height:
            con.register("incoming_rebased", split.to_arrow())
            con.execute(load_sql("landing/replace_rebased_bars"))
            con.unregister("incoming_rebased")
        if dividend.height:
            con.register("incoming_rebased_dividend", dividend.to_arrow())
            con.execute(load_sql("landing/update_rebased_adj_close"))
            con.unregister("incoming_rebased_dividend")
        out.bars_rebased = rebased_stored.height
    if out.rebasings:
        con.register("incoming_rebasings", pl.DataFrame(out.rebasings).to_arrow())
        con.execute(load_sql("landing/insert_rebasings"), [ingest_id, run_id, now])

    # the marts that read a changed column rebuild from its session on
    bar_changes = changed.filter(pl.col("changed_columns").list.len() > 0).select(
        "ticker", "session_date", "changed_columns"
    )
    if bar_changes.height:
        con.register("incoming_changes", bar_changes.to_arrow())
        invalidation.enqueue_bar_changes(
            con, f"bars landed ({source} {start}..{end})", ingest_id, now
        )
    if rebased_stored.height:
        price = ["open", "high", "low", "close", "adj_close", "volume"]
        rebase_changes = rebased_stored.select(
            "ticker",
            "session_date",
            pl.when(pl.col("split_changed"))
            .then(pl.lit(price))
            .otherwise(pl.lit(["adj_close"]))
            .alias("changed_columns"),
        )
        con.register("incoming_changes", rebase_changes.to_arrow())
        named = ", ".join(
            sorted(
                {
                    f"{r['ticker']} {r['action']} {r['ex_date']} ({r['change']})"
                    for r in out.rebasings
                }
            )
        )
        invalidation.enqueue_bar_changes(con, f"re-based for {named}", ingest_id, now)
    firsts = [
        f.min()
        for f in (
            bar_changes["session_date"],
            rebased_stored.get_column("session_date")
            if rebased_stored.height
            else pl.Series([], dtype=pl.Date),
        )
        if f.len()
    ]
    out.earliest_change = min(firsts) if firsts else None
    for name in (
        "incoming_actions",
        "withdrawn_actions",
        "applied_actions",
        "incoming_bars",
        "incoming_writes",
    ):
        con.unregister(name)
    return out


#: The columns of a bar that a re-basing reads (``sql/landing/read_bars_for_tickers.sql``).
_REBASE_COLUMNS = (
    "ticker", "session_date", "open", "high", "low", "close", "adj_close", "volume",
    "basis_session", "split_factor", "dividend_factor", "delivered_volume",
)  # fmt: skip


@dataclass
class _Scaled:
    """The re-basings of a landing done by scale (:func:`_scale_rebasings`)."""

    tickers: list[str]
    incoming: pl.DataFrame  # their incoming bars, re-based
    bars: pl.DataFrame  # their last stored bars and incoming bars (the log's closes)
    actions: pl.DataFrame  # their effective actions
    scales: pl.DataFrame  # ticker, scale: the factor each ticker's stored adj_close moves by

    @property
    def scaled(self) -> set[str]:
        return set(self.scales["ticker"].to_list())


def _scale_rebasings(
    con,
    incoming: pl.DataFrame,
    tickers: list[str],
    newly: pl.DataFrame,
    withdrawn: pl.DataFrame,
    effective: pl.DataFrame,
    start: date,
) -> _Scaled:
    """Of ``tickers`` (to be re-based), those whose stored bars all move by one factor, and
    what that takes: the tickers whose only actions taking effect are dividends (none
    withdrawn, no split) going ex after every stored bar's session and basis, and whose
    incoming bars all follow their last stored session. Each such dividend multiplies the
    ``adj_close`` of every stored bar of its ticker by its factor
    (:func:`bellwether.rebasing.appended_dividend_scale`): the ticker's
    ``raw.adj_close_scale`` is multiplied by it instead of its whole history being read and
    rewritten (the daily case: a dozen dividends go ex on a landed session, 2.5 s of a
    25-year daily run when rewritten). Only each ticker's last stored bar is read, the
    closes the factors need; should it not carry the factors the stored history implies
    (a split factor the actions do not explain), the ticker is re-based by rewriting."""
    empty = _Scaled([], incoming.clear(), pl.DataFrame(), effective.clear(), pl.DataFrame())
    splits = newly.filter(pl.col("action") == "split")["ticker"].to_list()
    candidates = sorted(set(tickers) - set(withdrawn["ticker"].to_list()) - set(splits))
    if not candidates:
        return empty
    last = dict(_last_sessions(con, candidates, start).iter_rows())

    def first(frame: pl.DataFrame, column: str) -> dict[str, date]:
        of_candidates = frame.filter(pl.col("ticker").is_in(candidates))
        return dict(of_candidates.group_by("ticker").agg(pl.col(column).min()).iter_rows())

    first_in, first_ex = first(incoming, "session_date"), first(newly, "ex_date")
    ok = {
        t
        for t in candidates
        if last.get(t) is None
        or (first_in.get(t, date.max) > last[t] and first_ex.get(t, date.max) > last[t])
    }
    # a stored bar delivered on a basis on or after a dividend's ex-date already reflects it
    asked = {t: first_ex[t] for t in ok if t in first_ex and last.get(t) is not None}
    if asked:
        late = _read(con, "landing/latest_basis_from", [sorted(asked), min(asked.values())])
        ok -= {t for t, basis in late.iter_rows() if basis >= asked[t]}
    if not ok:
        return empty
    stored = sorted(t for t in ok if last.get(t) is not None)
    mine = incoming.filter(pl.col("ticker").is_in(sorted(ok))).select(_REBASE_COLUMNS)
    read = mine.clear()
    if stored:
        since = min(last[t] for t in stored)
        lasts = pl.DataFrame(
            {"ticker": stored, "session_date": [last[t] for t in stored]},
            schema={"ticker": pl.String, "session_date": pl.Date},
        )
        read = (
            _read(con, "landing/read_bars_for_tickers", [stored, since])
            .join(lasts, on=["ticker", "session_date"], how="semi")
            .select(_REBASE_COLUMNS)
        )
    bars = pl.concat(
        [
            read.with_columns(pl.lit(False).alias("_incoming")),
            mine.with_columns(pl.lit(True).alias("_incoming")),
        ],
        how="vertical_relaxed",
    )
    acts = effective.filter(pl.col("ticker").is_in(sorted(ok))).select(
        "ticker", "ex_date", "action", "value", "basis_session"
    )
    rebased = rebasing.rebase(bars, acts)
    scales = rebasing.appended_dividend_scale(
        bars, acts, newly.filter(pl.col("ticker").is_in(stored))
    )
    # the last stored bar must move exactly by the scale (its split factor not at all)
    check = (
        rebased.filter(~pl.col("_incoming"))
        .join(read.select("ticker", pl.col("dividend_factor").alias("_was")), on="ticker")
        .join(scales, on="ticker", how="left")
        .with_columns(pl.col("_was") * pl.col("scale").fill_null(1.0))
    )
    off = check.filter(
        pl.col("split_changed")
        | (
            (pl.col("dividend_factor") - pl.col("_was")).abs()
            > SCALED_VALUE_REL_TOL * pl.col("_was").abs()
        )
    )["ticker"].to_list()
    if off:
        LOG.warning("re-based by rewriting, their last bars' factors disagree: %s", off)
        ok -= set(off)
        if not ok:
            return empty
        keep = sorted(ok)
        bars = bars.filter(pl.col("ticker").is_in(keep))
        rebased = rebased.filter(pl.col("ticker").is_in(keep))
        acts = acts.filter(pl.col("ticker").is_in(keep))
        scales = scales.filter(pl.col("ticker").is_in(keep))
    return _Scaled(
        tickers=sorted(ok),
        incoming=rebased.filter(pl.col("_incoming")),
        bars=bars,
        actions=acts,
        scales=scales,
    )


def _rebase(
    con,
    incoming: pl.DataFrame,
    tickers: list[str],
    moved_splits: set[str],
    acts: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The stored bars of ``tickers`` merged with the incoming ones (``_incoming``), and the
    same re-based onto ``acts`` (:func:`bellwether.rebasing.rebase`).

    A ticker none of whose splits was applied, revised or withdrawn here keeps its stored
    prices and volume: only the columns a dividend re-basing reads and writes are read for
    it (the read of a ticker's whole history, about half as long at 25 years,
    docs/BENCHMARKS.md section 14). Should a stored split factor of such a ticker move all
    the same, every column is read and the re-basing done again, so no price is ever
    written from a column that was not read."""
    narrow = sorted(set(tickers) - moved_splits)
    merged, rebased = _rebase_read(con, incoming, tickers, narrow, acts)
    if rebased.height and narrow:
        unread = rebased.filter(
            ~pl.col("_incoming") & pl.col("split_changed") & pl.col("ticker").is_in(narrow)
        )
        if unread.height:
            merged, rebased = _rebase_read(con, incoming, tickers, [], acts)
    return merged, rebased


def _rebase_read(
    con, incoming: pl.DataFrame, tickers: list[str], narrow: list[str], acts: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`_rebase` with the stored bars of ``narrow`` read without their prices and
    volume (``landing/read_adjustment_basis_for_tickers``), every column of the others."""
    full = sorted(set(tickers) - set(narrow))
    parts = []
    if full:
        parts.append(_read(con, "landing/read_bars_for_tickers", [full, None]))
    if narrow:
        parts.append(_read(con, "landing/read_adjustment_basis_for_tickers", [narrow]))
    stored = pl.concat(parts)
    mine = incoming.filter(pl.col("ticker").is_in(tickers))
    merged = pl.concat(
        [
            stored.join(mine, on=["ticker", "session_date"], how="anti").with_columns(
                pl.lit(False).alias("_incoming")
            ),
            mine.select(stored.columns).with_columns(pl.lit(True).alias("_incoming")),
        ],
        how="vertical_relaxed",
    )
    return merged, rebasing.rebase(merged, acts)


def _rebasing_log(
    bars: pl.DataFrame,
    actions: pl.DataFrame,
    revised: pl.DataFrame,
    withdrawn: pl.DataFrame,
    newly: pl.DataFrame,
    stored_actions: pl.DataFrame,
    rebased: pl.DataFrame,
) -> list[dict]:
    """One ``raw.rebasings`` row per action applied, revised or withdrawn in this landing."""
    key = ["ticker", "ex_date", "action"]
    factors = rebasing.dividend_factors(bars, actions) if actions.height else None
    events = []
    # a revision of an action already applied to the stored bars (one only announced
    # until now is applied for the first time); every revised action that takes effect is
    # among ``newly``, its stored application dropped with the old value
    was_applied = set(
        stored_actions.filter(pl.col("applied_at").is_not_null()).select(key).iter_rows()
    )
    effective = set(actions.select(key).iter_rows())
    for row in revised.iter_rows(named=True):
        k = (row["ticker"], row["ex_date"], row["action"])
        if k not in effective:  # announced for a session not landed yet: nothing to re-base
            continue
        events.append((row, "revised" if k in was_applied else "applied"))
    for row in newly.iter_rows(named=True):
        k = (row["ticker"], row["ex_date"], row["action"])
        if k not in {(r["ticker"], r["ex_date"], r["action"]) for r, _ in events}:
            events.append((row, "applied"))
    for row in withdrawn.iter_rows(named=True):
        if row["applied_at"] is not None:
            events.append((row, "withdrawn"))
    log = []
    for row, change in events:
        touched = rebased.filter(
            (pl.col("ticker") == row["ticker"]) & (pl.col("session_date") < row["ex_date"])
        )
        factor = row["value"] if row["action"] == "split" else None
        if row["action"] == "dividend" and factors is not None:
            hit = factors.filter(
                (pl.col("ticker") == row["ticker"]) & (pl.col("ex_date") == row["ex_date"])
            )
            factor = hit["factor"][0] if hit.height else None
        log.append(
            {
                "ticker": row["ticker"],
                "ex_date": row["ex_date"],
                "action": row["action"],
                "value": row["value"],
                "factor": factor,
                "change": change,
                "first_session": touched["session_date"].min() if touched.height else None,
                "last_session": touched["session_date"].max() if touched.height else None,
                "bars_rewritten": touched.height,
            }
        )
    return log


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
    basis = result.basis_session or end
    # actions in the range, and any announced for a later session (stored, not applied
    # until their ticker has a bar on or after the ex-date)
    actions = result.actions.filter(
        pl.col("ex_date") >= start, pl.col("ticker").is_in(list(symbols))
    ).unique(subset=["ticker", "ex_date", "action"], keep="last")
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
        "basis_session": basis,
        "actions_complete": result.actions_complete,
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
            changes = _land_bars_and_actions(
                con, good, actions, delivered=received, start=start, end=end, basis=basis,
                actions_complete=result.actions_complete, source=result.source,
                ingest_id=ingest_id, run_id=run_id, now=started,
            )  # fmt: skip
            report.rows_changed = changes
            con.register("incoming_rejects", rejected.to_arrow())
            con.register("incoming_tickers", tickers.to_arrow())
            con.execute(load_sql("landing/delete_replaced_rejects"), [start, end])
            con.execute(
                load_sql("landing/insert_rejects"), [result.source, ingest_id, run_id, started]
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
