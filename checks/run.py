"""Running the checks for a session range and keeping their per-session results.

:func:`run_raw_checks` evaluates every check of ``raw/daily_bars`` (the GX suite and the
polars checks of :mod:`checks.raw_checks`) over ``first..last`` and replaces
those sessions' rows in ``dq.check_results``; :func:`run_mart_checks` does the same for
the marts (or, scoped to the tickers a build replaced, merges their results into the
stored ones). Both return the results frame for Dagster's check results and metadata.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial

import duckdb
import polars as pl

from bellwether import settings
from bellwether.calendar import last_closed_session, previous_session, sessions_between
from bellwether.catchup import window_sessions
from bellwether.registry import MARTS, MartSpec
from bellwether.sqlfiles import load_sql
from bellwether.universe import UniverseConfig
from bellwether.warehouse import Warehouse
from checks import raw_checks
from checks.docs import check_description
from checks.results import Outcome, name_rows, results_frame

RAW_ASSET = "raw/daily_bars"

#: Every check of raw/daily_bars (freshness is recorded separately, on the latest session)
#: with its description, generated from docs/QUALITY.md (severity, what it does, scope, rule).
RAW_CHECKS: dict[str, str] = {
    name: check_description(name)
    for name in (
        "gx_schema",
        "gx_unique_key",
        "gx_price_sanity",
        "rejected_rows",
        "completeness_index_etf",
        "completeness_stocks",
        "zero_volume_index",
        "step_change",
        "etf_tracking",
        "restatement",
    )
}
#: The checks of the marts (coverage on per-ticker marts, breadth_identity on breadth).
MART_CHECKS: dict[str, str] = {
    name: check_description(name, mart=True)
    for name in ("unique_key", "coverage", "breadth_identity", "recompute")
}


@dataclass
class CheckRun:
    """Results of one check run, and the GX Data Docs page when GX ran."""

    results: pl.DataFrame
    docs_page: str | None = None


def _query(
    con: duckdb.DuckDBPyConnection, name: str, params: Sequence | Mapping[str, object]
) -> pl.DataFrame:
    values = dict(params) if isinstance(params, Mapping) else list(params)
    return con.sql(load_sql(name), params=values).pl()


def store_results(
    con: duckdb.DuckDBPyConnection, results: pl.DataFrame, run_id: str | None, now: datetime
) -> None:
    """Replace these (session, asset, check) rows in ``dq.check_results``."""
    rows = results.with_columns(
        pl.lit(run_id, dtype=pl.String).alias("run_id"), pl.lit(now).alias("checked_at")
    )
    con.register("incoming_results", rows.to_arrow())
    con.execute(load_sql("dq/replace_check_results"))
    con.unregister("incoming_results")


def run_raw_checks(
    wh: Warehouse,
    first: date,
    last: date,
    universe: UniverseConfig,
    *,
    ingest_id: str | None = None,
    run_id: str | None = None,
    now: datetime | None = None,
    use_gx: bool = True,
) -> CheckRun:
    """Every raw check on sessions ``first..last``; results stored in ``dq.check_results``."""
    from checks import gx_suite

    now = now or datetime.now(UTC)
    sessions = sessions_between(first, last)
    prev = previous_session(first)
    with wh.connect() as con:
        # the next landed session compares its close with one of these: re-judge it too
        nxt = con.execute(load_sql("dq/next_landed_session"), [last]).fetchall()[0][0]
        upto = nxt or last
        gate_before = _gate_state(con, first, upto)
        bars_with_prev = _query(con, "dq/read_check_inputs_bars", [prev, upto])
        rejected = _query(con, "dq/read_rejected", [ingest_id or ""])
        actions = _query(con, "dq/read_actions", [first, last])
        restated = _query(con, "dq/read_restatements", [first, last])
        landed = [r[0] for r in con.execute(load_sql("dq/landed_sessions")).fetchall()]
        window = window_sessions(last_closed_session(now), settings.catchup_sessions())
        attempts = _query(con, "dq/landing_attempts", [window[0], window[-1]])
    bars = bars_with_prev.filter(pl.col("session_date").is_between(first, last))
    outcomes: list[Outcome] = []
    docs_page = None
    if use_gx:
        gx = gx_suite.validate_bars(bars, sessions, run_name=run_id or "bellwether")
        outcomes += gx.outcomes
        docs_page = gx.docs_page
    outcomes += raw_checks.check_rejected(sessions, rejected)
    outcomes += raw_checks.check_completeness(sessions, bars, universe)
    outcomes += raw_checks.check_zero_volume_index(sessions, bars)
    judged = [*sessions, nxt] if nxt else sessions
    outcomes += raw_checks.check_step_change(judged, bars_with_prev, actions)
    outcomes += raw_checks.check_etf_tracking(judged, bars_with_prev, universe.etf_index_tracking)
    outcomes += raw_checks.check_restatements(sessions, restated)
    freshness = raw_checks.check_freshness(landed, attempts, window)
    results = results_frame(RAW_ASSET, outcomes)
    with wh.transaction() as con:
        store_results(con, results, run_id, now)
        store_results(con, results_frame(RAW_ASSET, [freshness]), run_id, now)
        _enqueue_gate_changes(con, gate_before, _gate_state(con, first, upto), now)
    return CheckRun(
        pl.concat(
            [results.filter(pl.col("session_date") <= last), results_frame(RAW_ASSET, [freshness])]
        ),
        docs_page,
    )


def _gate_state(con: duckdb.DuckDBPyConnection, first: date, last: date) -> tuple[set, set, set]:
    """What the quality gate withholds on ``first..last``: (session, ticker) rows, blocked
    sessions, and sessions blocked for integrity."""
    rows = set(_query(con, "dq/blocked_rows", [first, last]).iter_rows())
    sessions = _query(con, "dq/blocked_sessions", [first, last])
    blocked = set(sessions["session_date"].to_list())
    integrity = set(sessions.filter(pl.col("integrity"))["session_date"].to_list())
    return rows, blocked, integrity


def _enqueue_gate_changes(
    con: duckdb.DuckDBPyConnection,
    before: tuple[set, set, set],
    after: tuple[set, set, set],
    now: datetime,
) -> None:
    """The gate is an input of every mart: where it now withholds different rows or
    sessions, queue the rebuilds (the any-order rule, bellwether/invalidation.py)."""
    from bellwether.invalidation import enqueue

    cross = [n for n, spec in MARTS.items() if spec.scope == "session"]
    rest = [n for n in MARTS if n not in cross]
    reason = "quality gate changed"

    def both(ticker: str | None, session: date) -> None:
        # a per-ticker mart carries state from the session on; a cross-sectional one
        # recounts that session only and carries its A/D line and EMAs through the rest
        enqueue(con, rest, ticker, session, session, reason, now)
        enqueue(con, cross, None, session, session, reason, now, sessions_only=True)

    for session, ticker in sorted(before[0] ^ after[0]):
        both(ticker, session)
    for session in sorted(before[1] ^ after[1]):
        enqueue(con, cross, None, session, session, reason, now, sessions_only=True)
    for session in sorted(before[2] ^ after[2]):
        both(None, session)


#: The mart checks that name failing tickers (keys) per session, with their message on a
#: pass and the prefix of their message on a failure; a scoped check merges these.
ROW_NAMING_CHECKS: dict[str, tuple[str, str]] = {
    "unique_key": ("every key once", "duplicate keys"),
    "coverage": ("every checked bar has its mart rows", "bars without mart rows"),
}


def mart_row_outcome(session: date, failing: Iterable[str], *, check: str) -> Outcome:
    """The outcome of the row-naming mart check ``check`` on ``session`` from its failing
    tickers (keys): the one place a full and a scoped check build it, so both write the
    same ``passed``, ``observed`` and ``message`` for the same failing list."""
    failing = sorted(set(failing))
    on_pass, on_fail = ROW_NAMING_CHECKS[check]
    return Outcome(
        session, check, not failing, f"{on_fail}: {name_rows(failing)}" if failing else on_pass,
        observed=str(len(failing)), expected="0", failing_tickers=failing,
    )  # fmt: skip


def _row_checks(asset: str) -> list[str]:
    """The row-naming checks of ``asset``: ``coverage`` on per-ticker marts only."""
    return ["unique_key", "coverage"] if asset in PER_TICKER_MARTS else ["unique_key"]


def _row_failures(
    con: duckdb.DuckDBPyConnection,
    asset: str,
    first: date,
    last: date,
    tickers: Sequence[str] | None,
) -> dict[str, dict[date, list[str]]]:
    """Per row-naming check of ``asset``, the failing tickers (keys) of each session of
    ``first..last`` that has any, among ``tickers`` (None: every ticker)."""
    # each reads the asset's own table only: a rebuild of a few tickers' whole history
    # checks every session of it (docs/BENCHMARKS.md section 15)
    params = {"first": first, "last": last, "asset": asset, "tickers": tickers}
    failures: dict[str, dict[date, list[str]]] = {"unique_key": {}}
    # grouped by session once: a rebuild's range may span thousands of sessions
    dups = _query(con, "dq/mart_key_duplicates", params)
    for s, key in dups.select("session_date", "key").iter_rows():
        failures["unique_key"].setdefault(s, []).append(key)
    if "coverage" in _row_checks(asset):
        coverage = _query(con, "dq/mart_coverage", params)
        failures["coverage"] = {
            s: list(m) for s, m in coverage.select("session_date", "missing").iter_rows() if m
        }
    return failures


def _consecutive_runs(sessions: Sequence[date], wanted: set[date]) -> list[list[date]]:
    """The ``wanted`` sessions of ``sessions`` (ascending) as runs of consecutive ones."""
    runs: list[list[date]] = []
    previous_wanted = False
    for s in sessions:
        if s in wanted:
            if previous_wanted:
                runs[-1].append(s)
            else:
                runs.append([s])
        previous_wanted = s in wanted
    return runs


def _scoped_row_failures(
    con: duckdb.DuckDBPyConnection,
    asset: str,
    sessions: Sequence[date],
    tickers: Sequence[str],
) -> dict[str, dict[date, list[str]]]:
    """:func:`_row_failures` over ``sessions`` (ascending, consecutive) reading only
    ``tickers``' rows, each session's result merged with its stored one: (stored failing
    minus ``tickers``) plus the failing among ``tickers``. A session with no stored result
    for one of the checks is checked over every ticker instead."""
    checks = _row_checks(asset)
    if not sessions:
        return {c: {} for c in checks}
    first, last = sessions[0], sessions[-1]
    # a rebuild's range may span thousands of sessions, nearly all with no failing ticker:
    # the stored results are read as a frame and only the failing lists become Python lists
    stored = _query(
        con,
        "dq/stored_mart_failures",
        {"first": first, "last": last, "asset": asset, "checks": checks},
    )
    checked = set(
        stored.group_by("session_date")
        .agg(pl.col("check").n_unique().alias("checks"))
        .filter(pl.col("checks") == len(checks))["session_date"]
        .to_list()
    )
    unstored = {s for s in sessions if s not in checked}
    merged: dict[str, dict[date, list[str]]] = {c: {} for c in checks}
    # never checked: no stored result to merge into, so every ticker is read (no guess)
    for run in _consecutive_runs(sessions, unstored):
        full = _row_failures(con, asset, run[0], run[-1], None)
        for c in checks:
            merged[c].update({s: f for s, f in full[c].items() if s in unstored})
    if len(unstored) == len(sessions):
        return merged
    stored_failing: dict[tuple[date, str], list[str]] = {
        (s, c): list(f)
        for s, c, f in stored.filter(pl.col("failing_tickers").list.len() > 0).iter_rows()
    }
    scope = set(tickers)
    fresh = _row_failures(con, asset, first, last, sorted(scope))
    in_range = set(sessions) - unstored
    for c in checks:
        # a session fails only where it failed before or fails among tickers now
        candidates = {s for s, check in stored_failing if check == c} | set(fresh[c])
        for s in sorted(candidates & in_range):
            failing = (set(stored_failing.get((s, c), [])) - scope) | set(fresh[c].get(s, []))
            if failing:
                merged[c][s] = sorted(failing)
    return merged


def run_mart_checks(
    wh: Warehouse,
    asset: str,
    first: date,
    last: date,
    *,
    tickers: Sequence[str] | None = None,
    run_id: str | None = None,
    now: datetime | None = None,
) -> CheckRun:
    """The checks of one mart asset (``marts/<name>``) on sessions ``first..last``.

    ``tickers`` (per-ticker marts only, :data:`PER_TICKER_MARTS`; ignored for pair and
    session marts): a scoped check, after a build that replaced only those tickers' rows
    (a corporate action or restatement re-basing a few tickers' history). ``unique_key``
    and ``coverage`` then read only those tickers' rows, and each session's result is
    merged with its stored one in ``dq.check_results``: failing = (stored failing tickers
    minus ``tickers``) plus the failing ones among ``tickers``, with ``passed``,
    ``observed`` and ``message`` rebuilt from that list as a full check builds them
    (:func:`mart_row_outcome`). The merge is exact: a ticker passes or fails on its own
    bars and rows alone, and a scoped build replaced only ``tickers``' rows, so the stored
    verdicts of the others still hold (a change of their bars or of the quality gate
    queues a rebuild of their own, which checks them). A session with no stored result for
    a check (never checked) is checked over every ticker: a result is never a guess."""
    now = now or datetime.now(UTC)
    sessions = sessions_between(first, last)
    scope = sorted(set(tickers)) if tickers is not None and asset in PER_TICKER_MARTS else None
    with wh.connect() as con:
        if scope is None:
            failures = _row_failures(con, asset, first, last, None)
        else:
            failures = _scoped_row_failures(con, asset, sessions, scope)
        identity = (
            _query(con, "dq/breadth_identity", [first, last]) if asset == "marts/breadth" else None
        )
    broken: dict[date, list[str]] = {}
    if identity is not None:
        bad = identity.filter(
            (pl.col("advancers") + pl.col("decliners") + pl.col("unchanged") != pl.col("members_compared"))
            | (pl.col("members_compared") != pl.col("members_with_both_bars"))
        )  # fmt: skip
        for u, s, a, d, n, m, r in bad.iter_rows():
            broken.setdefault(s, []).append(f"{u}: {a}+{d}+{n} vs {m} (recount {r})")
    results = mart_results(asset, sessions, failures, broken if identity is not None else None)
    with wh.transaction() as con:
        store_results(con, results, run_id, now)
    return CheckRun(results)


def breadth_identity_outcome(session: date, named: list[str]) -> Outcome:
    """The ``breadth_identity`` outcome of ``session`` from its broken universes."""
    return Outcome(
        session, "breadth_identity", not named,
        "advancers + decliners + unchanged = members with both bars" if not named else name_rows(named),
        observed=str(len(named)), expected="0",
    )  # fmt: skip


def mart_results(
    asset: str,
    sessions: Sequence[date],
    failures: Mapping[str, Mapping[date, list[str]]],
    broken: Mapping[date, list[str]] | None,
) -> pl.DataFrame:
    """The results of the mart checks of ``asset`` on ``sessions``: per session, each
    row-naming check of ``failures`` (:func:`mart_row_outcome` from its failing tickers,
    none when the session is absent) and, when ``broken`` is given, ``breadth_identity``
    (:func:`breadth_identity_outcome` from its broken universes), in that order.

    A rebuild's range may span thousands of sessions, nearly all passing: the outcome of a
    failing session is built on its own, the passing ones share one row of each check's
    pass (the outcome of an empty list), so the frame equals one built session by session."""
    if not sessions:
        return results_frame(asset, [])
    checks: list[tuple[Callable[[date, list[str]], Outcome], Mapping[date, list[str]]]] = [
        (partial(mart_row_outcome, check=check), failing) for check, failing in failures.items()
    ]
    if broken is not None:
        checks.append((breadth_identity_outcome, broken))
    wanted = set(sessions)
    frames = []
    for order, (outcome, failing_of) in enumerate(checks):
        failing = {s: f for s, f in failing_of.items() if s in wanted and f}
        passing = pl.DataFrame(
            {"session_date": [s for s in sessions if s not in failing]},
            schema={"session_date": pl.Date()},
        )
        passed = results_frame(asset, [outcome(sessions[0], [])])
        frames.append(
            passing.join(passed.drop("session_date"), how="cross")
            .select(passed.columns)
            .with_columns(pl.lit(order).alias("_order"))
        )
        failed = results_frame(asset, [outcome(s, f) for s, f in failing.items()])
        frames.append(failed.with_columns(pl.lit(order).alias("_order")))
    return pl.concat(frames).sort("session_date", "_order").drop("_order")


#: Marts with one row per landed bar (their ``coverage`` check), from the registry.
PER_TICKER_MARTS = tuple(spec.asset for spec in MARTS.values() if "coverage" in spec.checks)


#: Tickers the ``recompute`` check draws from those with rows on the run's sessions.
RECOMPUTE_SAMPLE = 4
#: Sessions of a cross-sectional mart the ``recompute`` check recomputes, up to its last.
RECOMPUTE_SESSIONS = 21
#: Sessions, up to the mart's last, that a run's ``recompute`` check rebuilds in one build
#: from the stored state before them, when the run changed nothing earlier (a daily run, a
#: catch-up): a quarter of a year, so the check's cost does not grow with history.
RECOMPUTE_WINDOW = 63
#: The name of the full-history recompute (the weekly audit, and every run that changed
#: rows before the window) in ``dq.check_results``.
FULL_HISTORY = "recompute_full_history"


def recompute_window_start(last: date) -> date:
    """The first of the :data:`RECOMPUTE_WINDOW` sessions ending at ``last``."""
    from bellwether.calendar import sessions_before

    return sessions_before(last, RECOMPUTE_WINDOW - 1)


def run_recompute_check(
    wh: Warehouse,
    asset: str,
    universe: UniverseConfig,
    *,
    written: Sequence[date],
    tickers: Sequence[str] = (),
    changed_from: date | None = None,
    rebuilt: Mapping[str, date] | None = None,
    full_history: bool = False,
    run_id: str | None = None,
    now: datetime | None = None,
) -> CheckRun:
    """The blocking ``recompute`` check of a mart after a run: stored rows equal an
    independent recompute.

    Per-ticker and pair marts check a seeded sample of tickers (:data:`RECOMPUTE_SAMPLE`
    drawn from those with rows on the ``written`` sessions, the draw seeded by the run id,
    plus ``tickers``):

    * when the run changed no row of every ticker before the last :data:`RECOMPUTE_WINDOW`
      sessions (``changed_from``, its earliest such change, is inside them: a daily run, a
      catch-up), their rows of those sessions are recomputed in ONE build from the stored
      state before the window (:func:`bellwether.marts.recompute_window`), so the check
      costs the same at any length of history;
    * otherwise (a backfill, an earlier range landed late, a restatement, ``changed_from``
      unknown), and always with ``full_history`` (the weekly ``recompute_full_history``
      audit), every stored row of theirs is recomputed from each one's first stored bar
      with no seed (:func:`bellwether.marts.recompute_from_raw`).

    ``rebuilt``: the tickers whose history the run rebuilt beyond its own sessions (a
    corporate action re-basing one ticker's whole history, a late symbol), each with the
    earliest session it changed. Up to :data:`RECOMPUTE_SAMPLE` of them (a seeded draw when
    more) are checked as well, whatever the sample is: from raw when that session is before
    the window, over the window otherwise. So a split is checked over the split stock's
    history while the rest of the daily run is checked over the window.

    Cross-sectional marts: the last :data:`RECOMPUTE_SESSIONS` sessions up to the mart's
    last one, recomputed from the stored per-ticker marts. The result is dated on the mart's
    last stored session (the last of ``written`` when it holds none: its recompute over them
    must hold none either) and named ``recompute`` (``recompute_full_history`` with
    ``full_history``); a mismatch names the column and rows."""
    from bellwether.calendar import sessions_before
    from bellwether.marts import last_built_session, recompute_sessions
    from bellwether.reference_sql import frame_mismatches
    from bellwether.registry import mart

    spec = mart(asset)
    now = now or datetime.now(UTC)
    keys = list(spec.key)
    check_name = FULL_HISTORY if full_history else "recompute"
    with wh.connect() as con:
        last = last_built_session(con, spec.name)
        if last is None and not written:
            return CheckRun(results_frame(asset, []))
        if last is None:
            # the mart holds no row (a range of sessions without members of its universes,
            # on a new warehouse): its recompute over the run's sessions must hold none either
            last = max(written)
        if spec.scope == "session":
            first = sessions_before(last, RECOMPUTE_SESSIONS - 1)
            compared = [
                (
                    _query(con, f"marts/rows_{spec.name}", [first, last]),
                    recompute_sessions(con, spec.name, universe, first, last),
                )
            ]
            sample = f"sessions {first}..{last}"
            what = "a recompute from raw bars"
        else:
            from_raw, in_window = _recompute_sample(
                con, asset, written or [last], last, tickers, changed_from, rebuilt or {},
                full_history, run_id,
            )  # fmt: skip
            compared, parts, whats = [], [], []
            if from_raw:
                compared.append(_recomputed(con, spec, universe, from_raw, None, last))
                parts.append(f"tickers {', '.join(from_raw)}")
                whats.append("a recompute from raw bars")
            if in_window:
                window = recompute_window_start(last)
                compared.append(_recomputed(con, spec, universe, in_window, window, last))
                parts.append(f"tickers {', '.join(in_window)}, sessions {window}..{last}")
                whats.append("one build of the last sessions from the stored state before them")
            sample, what = "; ".join(parts), " and ".join(whats)
    problems = []
    for got, want in compared:
        want = want.select(got.columns) if got.columns else want
        problems += frame_mismatches(got, want, keys, rel_tol=1e-9, abs_tol=1e-12)
    outcome = Outcome(
        last, check_name, not problems,
        # a pass says the same whatever was drawn, so a re-run that changes nothing changes
        # no check result; a failure names the sample, the columns and the rows
        f"stored rows equal {what}" if not problems
        else f"stored rows differ from {what} ({sample}): {'; '.join(problems)}",
        observed=str(len(problems)), expected="0",
    )  # fmt: skip
    results = results_frame(asset, [outcome])
    with wh.transaction() as con:
        store_results(con, results, run_id, now)
    return CheckRun(results)


def _recompute_sample(
    con: duckdb.DuckDBPyConnection,
    asset: str,
    written: Sequence[date],
    last: date,
    tickers: Sequence[str],
    changed_from: date | None,
    rebuilt: Mapping[str, date],
    full_history: bool,
    run_id: str | None,
) -> tuple[list[str], list[str]]:
    """The tickers :func:`run_recompute_check` recomputes from raw bars and those it
    recomputes over the window (each sorted, none in both)."""
    import random

    candidates = sorted(
        t
        for (t,) in con.execute(
            load_sql("marts/tickers_in_range"), [min(written), max(written)]
        ).fetchall()
    )
    rng = random.Random(f"{run_id}:{asset}")
    sample = set(rng.sample(candidates, min(RECOMPUTE_SAMPLE, len(candidates))))
    sample |= set(list(tickers)[:RECOMPUTE_SAMPLE])
    drawn = sorted(rebuilt)
    drawn = rng.sample(drawn, min(RECOMPUTE_SAMPLE, len(drawn)))
    window = recompute_window_start(last)
    if full_history or changed_from is None or changed_from < window:
        return sorted(sample | set(drawn)), []
    deep = {t for t in drawn if rebuilt[t] < window}
    return sorted(deep), sorted((sample | set(drawn)) - deep)


def _recomputed(
    con: duckdb.DuckDBPyConnection,
    spec: MartSpec,
    universe: UniverseConfig,
    tickers: list[str],
    window: date | None,
    last: date,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(stored, recomputed) rows of ``tickers``: from their first bar when ``window`` is
    None, else of the sessions ``window..last`` built from the stored state before them."""
    from bellwether.marts import recompute_from_raw, recompute_window

    if window is None:
        want = recompute_from_raw(con, spec.name, universe, tickers, last)
        got = _query(con, f"marts/rows_{spec.name}", [date(1900, 1, 1), last, tickers])
    else:
        want = recompute_window(con, spec.name, universe, tickers, window, last)
        got = _query(con, f"marts/rows_{spec.name}", [window, last, tickers])
    if spec.scope == "pair":
        got = got.join(
            want.select("ticker", "benchmark").unique(), on=["ticker", "benchmark"], how="semi"
        )
    return got, want
