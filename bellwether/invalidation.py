"""The any-order rule: when the inputs of a session change, everything after it is rebuilt.

Whenever the raw bars of session D change for a ticker — an earlier range landed after
later ones, a restatement, a late or re-delivered symbol, a rejected bar replaced, a
re-basing for a split or dividend — or the quality gate or the universe changes what a mart
may use, every mart row whose value depends on D is rebuilt before the run reports success.
With carried state (streaks and runs, YTD and MTD bases, record closes, 52-week windows,
SMA and Wilder's RSI, the A/D line and McClellan EMAs) that is the suffix from D to the
mart's last built session: for the affected tickers in per-ticker marts, for the pairs
that involve them in relative performance, for whole sessions in breadth and sector ranks.

How: whoever changes an input writes one row per (mart, ticker) into
``marts.pending_rebuilds`` in the same transaction as the change (landing for bars and
re-basings, the raw checks for the gate, the reference refresh for the universe), for every
mart whose :attr:`~bellwether.registry.MartSpec.reads` include a changed column. A
cross-sectional mart with an :attr:`~bellwether.registry.MartSpec.input_signature` (breadth,
sector ranks) is queued instead by the builds of the marts it reads, on each session on
which what it reads of a row changed (:func:`enqueue_input_changes`). Each mart
build then plans its work with :func:`plan_rebuild` — the requested sessions for every
ticker plus each pending ticker's suffix — rebuilds it from the stored state before the
earliest change, chunk by chunk, and only then deletes the pending rows it handled. A run
that fails midway leaves them queued, so the next build of that mart finishes the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import duckdb
import polars as pl

from bellwether.registry import MARTS, MartSpec
from bellwether.sqlfiles import load_sql

PENDING_SCHEMA = {
    "mart": pl.String,
    "ticker": pl.String,
    "from_session": pl.Date,
    "last_changed": pl.Date,
    "reason": pl.String,
    "ingest_id": pl.String,
    "queued_at": pl.Datetime("us", "UTC"),
    "sessions_only": pl.Boolean,
}


@dataclass(frozen=True)
class RebuildStep:
    """One build a mart run does: sessions ``first..last`` for ``tickers`` (None: all).

    ``reason`` is ``requested`` for the run's own sessions, otherwise the causes of the
    changes it rebuilds after (``changed_first..changed_last``). ``changed_ranges`` (a
    cross-sectional mart's step only): the session ranges whose inputs changed, the
    requested ones among them, when every queued row says exactly which
    (``sessions_only``); the others keep their counts and only carry state. None: every
    session of the step is recomputed from its inputs."""

    first: date
    last: date
    tickers: frozenset[str] | None
    reason: str
    changed_first: date | None = None
    changed_last: date | None = None
    changed_ranges: tuple[tuple[date, date], ...] | None = None


def enqueue_bar_changes(
    con: duckdb.DuckDBPyConnection, reason: str, ingest_id: str | None, now: datetime
) -> None:
    """Queue rebuilds for the changed bars registered as ``incoming_changes``
    (``ticker, session_date, changed_columns VARCHAR[]``), for every mart that reads one
    of the changed columns (a mart with an ``input_signature`` is queued by its inputs'
    builds instead: :func:`enqueue_input_changes`)."""
    for spec in MARTS.values():
        if spec.input_signature is not None:  # reached through its inputs' builds
            continue
        con.execute(
            load_sql("marts/enqueue_bar_changes"),
            [spec.name, sorted(spec.reads), reason, ingest_id, now],
        )


def enqueue_definition_change(
    con: duckdb.DuckDBPyConnection, spec: MartSpec, now: datetime
) -> str | None:
    """Queue a rebuild of the whole of ``spec``'s mart when its stored rows were built with
    another :attr:`~bellwether.registry.MartSpec.definition_version` than this code's, and
    record this code's version: inside the caller's transaction, so the two commit together.
    A mart with no row in ``bw_meta.mart_definitions`` was built with version 1 (before
    versions were recorded); an empty mart only gets its version recorded. The rebuild
    covers every ticker from the first stored bar to the mart's last stored session.
    Returns the queued rebuild's reason, or None."""
    from bellwether.marts import last_built_session
    from bellwether.registry import DEFINITION_CHANGES

    row = con.execute(load_sql("marts/read_definition_version"), [spec.name]).fetchall()
    built_with = row[0][0] if row else 1
    if row and built_with == spec.definition_version:
        return None
    reason = None
    last = last_built_session(con, spec.name)
    if built_with != spec.definition_version and last is not None:
        first = con.execute(load_sql("marts/first_bar_session"), [None]).fetchall()[0][0]
        what = DEFINITION_CHANGES.get((spec.name, spec.definition_version), "")
        reason = (
            f"definition of marts.{spec.name} changed (version {built_with} -> "
            f"{spec.definition_version}{': ' + what if what else ''})"
        )
        enqueue(con, [spec.name], None, first or last, last, reason, now)
    con.execute(load_sql("marts/record_definition_version"), [spec.name, spec.definition_version])
    return reason


def enqueue_input_changes(
    con: duckdb.DuckDBPyConnection,
    mart: str,
    old: pl.DataFrame,
    new: pl.DataFrame,
    now: datetime | None = None,
) -> None:
    """Queue the marts built on ``mart`` where a build of it changed what they read.

    ``old`` and ``new``: the rows of ``marts.<mart>`` a build replaced, before and after
    (same columns; ``ticker, session_date`` among them). For every mart with an
    :attr:`~bellwether.registry.MartSpec.input_signature` that lists ``marts/<mart>`` among
    its inputs, the signatures of both are compared on the sessions that mart has built
    (a row after its last stored session is built as a requested session, nothing to
    rebuild), and one rebuild is queued for each session on which the signature of a row of
    a ticker the mart reads changed, with ``sessions_only`` (only that session's inputs
    changed: breadth recounts it and carries its A/D line and EMAs through the others;
    ``sql/marts/enqueue_input_changes_<name>.sql``: members of a universe for breadth, the
    sector ETFs for sector performance). Called by
    :func:`bellwether.marts._replace` inside the build's transaction, so the queue and the
    rows that caused it commit together."""
    from bellwether.marts import changed_keys, last_built_session

    asset = f"marts/{mart}"
    for spec in MARTS.values():
        if spec.input_signature is None or asset not in spec.inputs:
            continue
        last = last_built_session(con, spec.name)
        if last is None:
            continue
        before = spec.input_signature(mart, old.filter(pl.col("session_date") <= last))
        after = spec.input_signature(mart, new.filter(pl.col("session_date") <= last))
        changed = changed_keys(before, after, ["ticker", "session_date"])
        if changed.is_empty():
            continue
        con.register("changed_inputs", changed.to_arrow())
        try:
            con.execute(
                load_sql(f"marts/enqueue_input_changes_{spec.name}"),
                {
                    "mart": spec.name,
                    "reason": f"{mart} changed",
                    "queued_at": now or datetime.now(UTC),
                },
            )
        finally:
            con.unregister("changed_inputs")


def enqueue(
    con: duckdb.DuckDBPyConnection,
    marts: list[str],
    ticker: str | None,
    from_session: date,
    last_changed: date,
    reason: str,
    now: datetime,
    ingest_id: str | None = None,
    sessions_only: bool | None = None,
) -> None:
    """Queue one rebuild of ``marts`` for ``ticker`` (None: every ticker) from a session.
    ``sessions_only``: True when only the inputs of ``from_session..last_changed`` changed
    (a quality-gate change of whole sessions), not what follows them."""
    for name in marts:
        con.execute(
            load_sql("marts/enqueue_rebuild"),
            [name, ticker, from_session, last_changed, reason, ingest_id, now, sessions_only],
        )


def read_pending(con: duckdb.DuckDBPyConnection, mart: str) -> pl.DataFrame:
    """The rebuilds queued for ``mart``."""
    rows = con.sql(load_sql("marts/read_pending_rebuilds"), params=[mart]).pl()
    return rows if rows.height else pl.DataFrame(schema=PENDING_SCHEMA)


def consume(con: duckdb.DuckDBPyConnection, pending: pl.DataFrame) -> None:
    """Delete exactly the queued rows in ``pending`` (rows queued since stay queued)."""
    if pending.is_empty():
        return
    con.register("handled_rebuilds", pending.to_arrow())
    try:
        con.execute(load_sql("marts/delete_pending_rebuilds"))
    finally:
        con.unregister("handled_rebuilds")


def _reason(rows: pl.DataFrame) -> str:
    reasons = sorted(set(rows["reason"].to_list()))
    return "; ".join(reasons)


def merge_ranges(spans: list[tuple[date, date]]) -> tuple[tuple[date, date], ...]:
    """Inclusive date ranges merged where they overlap or touch (by calendar day), sorted.
    Ranges one session apart but not touching (a weekend between) stay separate; they
    select the same sessions either way."""
    merged: list[list[date]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return tuple((lo, hi) for lo, hi in merged)


def plan_rebuild(
    spec: MartSpec,
    requested: tuple[date, date] | None,
    pending: pl.DataFrame,
    stored_last: date | None,
    requested_tickers: frozenset[str] | None = None,
) -> list[RebuildStep]:
    """The builds a run of ``spec`` does, in order (earliest start first).

    ``requested``: the run's own sessions (None: only queued rebuilds); ``pending``: the
    rows of ``marts.pending_rebuilds`` for this mart; ``stored_last``: the mart's last
    stored session; ``requested_tickers``: the tickers with bars in the requested sessions
    (needed only to tell when every ticker shares one range).

    Each pending ticker is rebuilt from its earliest changed session to
    ``max(stored_last, requested last)`` (the suffix that depends on it), united with the
    requested sessions where they touch; tickers with the same range are built together,
    and a group that holds every ticker is built unscoped. Cross-sectional marts
    (``scope == "session"``) and a pending row for every ticker (``ticker`` NULL) rebuild
    whole sessions from the earliest change. A change after ``stored_last`` (and after the
    requested sessions) has no built row to rebuild: nothing is planned for it.
    """
    steps: list[RebuildStep] = []
    pending = pending.filter(pl.col("mart") == spec.name) if pending.height else pending
    if pending.is_empty():
        return [RebuildStep(*requested, None, "requested")] if requested else []
    end = max(d for d in (stored_last, requested[1] if requested else None) if d is not None)
    changed_first = pending["from_session"].min()
    changed_last = pending["last_changed"].max()
    reason = _reason(pending)
    everyone = pending.filter(pl.col("ticker").is_null())
    if spec.scope == "session" or everyone.height:
        start = (
            pending["from_session"].min()
            if spec.scope == "session"
            else everyone["from_session"].min()
        )
        if requested:
            start = min(start, requested[0])
        ranges = None
        if spec.scope == "session" and pending["sessions_only"].fill_null(False).all():
            spans = pending.select("from_session", "last_changed").rows()
            ranges = merge_ranges([*spans, *([requested] if requested else [])])
        if start <= end:
            steps.append(RebuildStep(start, end, None, reason, changed_first, changed_last, ranges))
        if spec.scope == "session":
            return steps
        # tickers whose own change starts before the all-ticker rebuild
        pending = pending.filter(pl.col("ticker").is_not_null() & (pl.col("from_session") < start))
        requested = None
    # per ticker: the hull of its requested range and its pending suffix
    ranges: dict[str, tuple[date, date]] = {}
    if requested:
        for t in requested_tickers or ():
            ranges[t] = requested
    by_ticker = pending.group_by("ticker").agg(pl.col("from_session").min()).iter_rows()
    for ticker, start in by_ticker:
        if start > end:
            continue
        lo, hi = start, end
        if requested and (requested_tickers is None or ticker in requested_tickers):
            lo = min(lo, requested[0])
        ranges[ticker] = (lo, hi)
    if requested and requested_tickers is None:
        # the requested sessions for every ticker, then each pending ticker's suffix
        steps.append(RebuildStep(*requested, None, "requested"))
    groups: dict[tuple[date, date], set[str]] = {}
    for ticker, span in ranges.items():
        groups.setdefault(span, set()).add(ticker)
    for (lo, hi), tickers in groups.items():
        whole = requested_tickers is not None and len(groups) == 1 and set(ranges) == tickers
        own = pending.filter(pl.col("ticker").is_in(sorted(tickers)))
        is_requested_only = requested is not None and (lo, hi) == requested and own.is_empty()
        # a step scoped to some tickers logs their own causes and changed sessions (another
        # ticker's dividend is not why this one was rebuilt); a step over every ticker, all
        cause = pending if whole or own.is_empty() else own
        steps.append(
            RebuildStep(
                lo,
                hi,
                None if whole else frozenset(tickers),
                "requested" if is_requested_only else _reason(cause),
                None if is_requested_only else cause["from_session"].min(),
                None if is_requested_only else cause["last_changed"].max(),
            )
        )
    return sorted(steps, key=lambda s: (s.first, s.tickers is not None))
