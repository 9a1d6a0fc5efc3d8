"""Checks on ``raw/daily_bars`` that are plain polars over a session range.

Each function returns one :class:`~checks.results.Outcome` per session (and
check). Thresholds (issue "Data-quality gates"), all judged per session:

* ``rejected_rows`` (error, row): rows of the session rejected at landing, named with reasons.
* ``completeness_index_etf`` (error, session): every index and ETF of a universe active on
  the session has a bar. ``completeness_stocks`` (session): stocks of active universes
  missing: warn above 1%, error above 5%.
* ``zero_volume_index`` (warn, row): an index reporting volume 0.
* ``step_change`` (row): close against the ticker's previous stored close. Stocks: warn
  above 25%, error above 50%; indices and ETFs: warn above 7%, error above 25%; unless a
  split or dividend on the ex-date explains it (the move is judged on the smaller of the
  raw move and ``(close * split + dividend) / previous close - 1``, so an action explains a
  step but cannot create one in bars that are already split-adjusted). A ratio between 80x and 120x (either way)
  is reported as a unit error.
* ``etf_tracking`` (warn, row): an ETF's total return (``adj_close``) against its index's
  return differs by more than 0.5 percentage points.
* ``restatement`` (warn, row): a re-landed bar whose close moved more than 0.5% or whose
  ``adj_close`` basis changed; the session's marts are rebuilt by the same run.
* ``freshness`` (warn, session): every session of the catch-up window (the last
  ``BELLWETHER_CATCHUP_SESSIONS``, default 10, ending at the latest closed session) is
  landed; a missing one is named with why (the source had nothing for it, its landing
  failed, or no landing ever covered it), and gaps older than the window are named with the
  command that fills them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from bellwether.catchup import describe_older_gaps, fill_command, older_gaps
from bellwether.universe import UniverseConfig
from checks.results import Outcome, name_rows

STOCK_WARN, STOCK_FAIL = 0.25, 0.50
FUND_WARN, FUND_FAIL = 0.07, 0.25
UNIT_ERROR_RATIO = (80.0, 120.0)
TRACKING_GAP = 0.005
STOCKS_WARN_MISSING, STOCKS_FAIL_MISSING = 0.01, 0.05


def _by_session(frame: pl.DataFrame, sessions: Sequence[date]) -> dict[date, pl.DataFrame]:
    parts = (
        {k[0]: g for k, g in frame.partition_by("session_date", as_dict=True).items()}
        if frame.height
        else {}
    )
    return {s: parts.get(s, frame.clear()) for s in sessions}


def check_rejected(sessions: Sequence[date], rejected: pl.DataFrame) -> list[Outcome]:
    """``rejected``: ``ticker, session_date, reason`` of the rows a landing rejected.

    A rejected row dated on none of the sessions (a weekend, a future or unparseable date)
    is reported on the last session of the range, with its date.
    """
    in_range = pl.col("session_date").is_in(list(sessions)).fill_null(False)
    labelled = rejected.with_columns(
        pl.when(in_range)
        .then(pl.format("{} ({})", pl.col("ticker").fill_null("?"), pl.col("reason")))
        .otherwise(
            pl.format(
                "{} dated {} ({})",
                pl.col("ticker").fill_null("?"),
                pl.col("session_date").cast(pl.String).fill_null("?"),
                pl.col("reason"),
            )
        )
        .alias("label"),
        pl.when(in_range)
        .then(pl.col("session_date"))
        .otherwise(pl.lit(sessions[-1] if sessions else None))
        .alias("session_date"),
    )
    out = []
    for s, g in _by_session(labelled, sessions).items():
        named = g["label"].to_list()
        out.append(
            Outcome(
                s, "rejected_rows", g.is_empty(),
                "no row rejected" if g.is_empty() else f"{g.height} row(s) rejected at landing: {name_rows(named)}",
                scope="row", observed=str(g.height), expected="0",
                failing_tickers=sorted({t for t in g["ticker"].to_list() if t}),
            )
        )  # fmt: skip
    return out


def expected_members(universe: UniverseConfig, session: date) -> set[str]:
    """Symbols of every universe whose membership applies on ``session``."""
    return {m for u in universe.universes.values() if u.is_active(session) for m in u.members}


def check_completeness(
    sessions: Sequence[date], bars: pl.DataFrame, universe: UniverseConfig
) -> list[Outcome]:
    """Present tickers per session against the active universes."""
    out = []
    present = {s: set(g["ticker"].to_list()) for s, g in _by_session(bars, sessions).items()}
    for s in sessions:
        expected = expected_members(universe, s)
        missing = expected - present[s]
        funds = sorted(t for t in missing if universe.instruments[t].kind != "stock")
        stocks_expected = [t for t in expected if universe.instruments[t].kind == "stock"]
        stocks_missing = sorted(t for t in missing if universe.instruments[t].kind == "stock")
        out.append(
            Outcome(
                s, "completeness_index_etf", not funds,
                "every index and ETF present" if not funds else f"{len(funds)} index/ETF bar(s) missing: {name_rows(funds)}",
                observed=str(len(funds)), expected="0 missing", failing_tickers=funds,
            )
        )  # fmt: skip
        share = len(stocks_missing) / len(stocks_expected) if stocks_expected else 0.0
        severity = "error" if share > STOCKS_FAIL_MISSING else "warn"
        passed = share <= STOCKS_WARN_MISSING
        msg = f"{len(stocks_missing)} of {len(stocks_expected)} stocks missing ({share:.1%})" + (
            f": {name_rows(stocks_missing)}" if stocks_missing else ""
        )
        out.append(
            Outcome(
                s, "completeness_stocks", passed, msg, severity=severity if not passed else "error",
                observed=f"{share:.4f}", expected=f"<= {STOCKS_WARN_MISSING} (warn), <= {STOCKS_FAIL_MISSING} (error)",
                failing_tickers=stocks_missing,
            )
        )  # fmt: skip
    return out


def check_zero_volume_index(sessions: Sequence[date], bars: pl.DataFrame) -> list[Outcome]:
    """Indices with volume 0 (a source placeholder, not a real figure)."""
    out = []
    for s, g in _by_session(
        bars.filter((pl.col("kind") == "index") & (pl.col("volume") == 0)), sessions
    ).items():
        tickers = g["ticker"].to_list()
        out.append(
            Outcome(
                s, "zero_volume_index", not tickers,
                "no index reports zero volume" if not tickers else f"zero volume reported for {name_rows(tickers)}",
                severity="warn", scope="row", observed=str(len(tickers)), expected="0", failing_tickers=tickers,
            )
        )  # fmt: skip
    return out


def _with_previous(bars: pl.DataFrame) -> pl.DataFrame:
    return bars.sort("ticker", "session_date").with_columns(
        pl.col("close").shift(1).over("ticker").alias("prev_close"),
        pl.col("adj_close").shift(1).over("ticker").alias("prev_adj_close"),
        pl.col("session_date").shift(1).over("ticker").alias("prev_session"),
    )


def check_step_change(
    sessions: Sequence[date], bars: pl.DataFrame, actions: pl.DataFrame
) -> list[Outcome]:
    """Close against the previous stored close (``bars`` must include the session before the range)."""
    splits = actions.filter(pl.col("action") == "split").select(
        "ticker", pl.col("ex_date").alias("session_date"), pl.col("value").alias("split")
    )
    divs = actions.filter(pl.col("action") == "dividend").select(
        "ticker", pl.col("ex_date").alias("session_date"), pl.col("value").alias("dividend")
    )
    moves = (
        _with_previous(bars)
        .join(splits, on=["ticker", "session_date"], how="left")
        .join(divs, on=["ticker", "session_date"], how="left")
        .with_columns(
            (pl.col("close") / pl.col("prev_close")).alias("ratio"),
            ((pl.col("close") * pl.col("split").fill_null(1.0) + pl.col("dividend").fill_null(0.0)) / pl.col("prev_close")).alias("adj_ratio"),
            pl.when(pl.col("kind") == "stock").then(STOCK_WARN).otherwise(FUND_WARN).alias("warn_at"),
            pl.when(pl.col("kind") == "stock").then(STOCK_FAIL).otherwise(FUND_FAIL).alias("fail_at"),
        )
        .with_columns(
            # an action can explain a move, never create one (sources often deliver bars already
            # split-adjusted, as the bundled sample does)
            pl.min_horizontal((pl.col("adj_ratio") - 1).abs(), (pl.col("ratio") - 1).abs()).alias("move"),
            (
                pl.col("ratio").is_between(*UNIT_ERROR_RATIO) | (1 / pl.col("ratio")).is_between(*UNIT_ERROR_RATIO)
            ).alias("unit_error"),
        )
        .filter(pl.col("prev_close").is_not_null())
    )  # fmt: skip
    out = []
    for s, g in _by_session(moves, sessions).items():
        fails = g.filter(pl.col("unit_error") | (pl.col("move") > pl.col("fail_at")))
        warns = g.filter(
            ~pl.col("unit_error")
            & (pl.col("move") > pl.col("warn_at"))
            & (pl.col("move") <= pl.col("fail_at"))
        )
        explained = g.filter(
            ((pl.col("ratio") - 1).abs() > pl.col("warn_at"))
            & (pl.col("move") <= pl.col("warn_at"))
        )

        def describe(frame: pl.DataFrame) -> list[str]:
            return [
                f"{t} {'unit error ' if u else ''}{r - 1:+.1%} vs {p}"
                for t, r, u, p in frame.select(
                    "ticker", "ratio", "unit_error", "prev_session"
                ).iter_rows()
            ]

        parts = []
        if fails.height:
            parts.append(f"{fails.height} beyond the error threshold: {name_rows(describe(fails))}")
        if warns.height:
            parts.append(
                f"{warns.height} beyond the warning threshold: {name_rows(describe(warns))}"
            )
        if explained.height:
            parts.append(
                f"explained by a split or dividend: {name_rows(explained['ticker'].to_list())}"
            )
        passed = fails.is_empty() and warns.is_empty()
        out.append(
            Outcome(
                s, "step_change", passed, "; ".join(parts) or "no close moved beyond its threshold",
                severity="error" if fails.height or passed else "warn", scope="row",
                observed=f"{g['move'].max():.4f}" if g.height else None,
                expected=f"stocks <= {STOCK_WARN}/{STOCK_FAIL}, indices and ETFs <= {FUND_WARN}/{FUND_FAIL}",
                failing_tickers=(fails if fails.height else warns)["ticker"].to_list(),
            )
        )  # fmt: skip
    return out


def check_etf_tracking(
    sessions: Sequence[date], bars: pl.DataFrame, pairs: Sequence[tuple[str, str]]
) -> list[Outcome]:
    """ETF total return against its index's return, per configured pair."""
    prev = _with_previous(bars).with_columns(
        (pl.col("adj_close") / pl.col("prev_adj_close") - 1).alias("tr"),
        (pl.col("close") / pl.col("prev_close") - 1).alias("pr"),
    )
    pair_frame = pl.DataFrame(
        list(pairs), schema={"etf": pl.String, "index": pl.String}, orient="row"
    )
    gaps = (
        pair_frame.join(prev.select(pl.col("ticker").alias("etf"), "session_date", pl.col("tr").alias("etf_ret")), on="etf")
        .join(prev.select(pl.col("ticker").alias("index"), "session_date", pl.col("pr").alias("index_ret")), on=["index", "session_date"])
        .with_columns((pl.col("etf_ret") - pl.col("index_ret")).alias("gap"))
        .filter(pl.col("gap").is_not_null())
    )  # fmt: skip
    out = []
    for s, g in _by_session(gaps, sessions).items():
        bad = g.filter(pl.col("gap").abs() > TRACKING_GAP)
        named = [
            f"{e} vs {i} {gap:+.2%}" for e, i, gap in bad.select("etf", "index", "gap").iter_rows()
        ]
        out.append(
            Outcome(
                s, "etf_tracking", bad.is_empty(),
                "every ETF tracked its index within 0.5 points" if bad.is_empty() else f"tracking gap above 0.5 points: {name_rows(named)}",
                severity="warn", scope="row", observed=f"{g['gap'].abs().max():.4f}" if g.height else None,
                expected=f"<= {TRACKING_GAP}", failing_tickers=bad["etf"].to_list(),
            )
        )  # fmt: skip
    return out


def check_restatements(sessions: Sequence[date], restatements: pl.DataFrame) -> list[Outcome]:
    """Bars of this landing that restated stored ones."""
    out = []
    for s, g in _by_session(restatements, sessions).items():
        named = [
            f"{t} close {oc:g}->{nc:g}, adj_close {oa:g}->{na:g}"
            for t, oc, nc, oa, na in g.select(
                "ticker", "old_close", "new_close", "old_adj_close", "new_adj_close"
            ).iter_rows()
        ]
        out.append(
            Outcome(
                s, "restatement", g.is_empty(),
                "no stored bar restated" if g.is_empty() else f"{g.height} bar(s) restated (marts rebuilt for the session): {name_rows(named)}",
                severity="warn", scope="row", observed=str(g.height), expected="0", failing_tickers=g["ticker"].to_list(),
            )
        )  # fmt: skip
    return out


#: Why a session of the catch-up window has no bar, from the landings that covered it.
NEVER_LANDED = (
    "never landed: no landing covered it (never requested, or its run failed before landing)"
)


def _why_missing(session: date, attempts: pl.DataFrame) -> str:
    covering = attempts.filter(
        (pl.col("start_session") <= session) & (pl.col("end_session") >= session)
    )
    if covering.is_empty():
        return NEVER_LANDED
    last = covering.row(-1, named=True)
    where = f"ingest {last['ingest_id']}, run {last['run_id'] or '-'}"
    if last["status"] == "failed":
        error = (last["error"] or "no error recorded").replace("\n", " ")
        error = error if len(error) <= 160 else f"{error[:157]}..."
        return f"landing failed: {error} ({where})"
    return (
        f"the source ({last['source']}) had nothing for it: {last['symbols_received']} of "
        f"{last['symbols_requested']} symbols delivered over {last['start_session']}.."
        f"{last['end_session']} ({where}; failures in raw.ingest_runs)"
    )


def check_freshness(
    landed: Sequence[date], attempts: pl.DataFrame, window: Sequence[date]
) -> Outcome:
    """Every session of the catch-up window is landed, and no older session is a gap.

    ``landed``: every session with a bar (``sql/dq/landed_sessions.sql``). ``window``: the
    last N sessions ending at the latest closed session (``bellwether.catchup``, N =
    ``BELLWETHER_CATCHUP_SESSIONS``). ``attempts``: the landings overlapping the window
    (``sql/dq/landing_attempts.sql``), oldest first. A missing session of the window is
    explained by the latest landing that covered it (it failed, or the source had nothing
    for it) or by there being none; gaps older than the window, from the first landed
    session on, are named with the command that fills them (never filled automatically).
    """
    window = list(window)
    due, n = window[-1], len(window)
    have = set(landed)
    latest = max(have) if have else None
    missing = [s for s in window if s not in have]
    older = older_gaps(have, window[0])
    span = f"the last {n} closed sessions ({window[0]}..{due})"
    parts = []
    if missing:
        named = name_rows(f"{s} ({_why_missing(s, attempts)})" for s in missing)
        parts.append(
            f"{len(missing)} of {span} have no bar: {named}. The schedule's next tick asks "
            "for the ones Dagster has not materialized (never run, or their run failed); "
            f"land them now with `{fill_command(missing[0], missing[-1])}`"
        )
    if older:
        parts.append(describe_older_gaps(older, n))
    ok = not parts
    return Outcome(
        due, "freshness", ok,
        f"every one of {span} is landed, and no older session is missing (latest {latest})" if ok
        else "; ".join(parts),
        severity="warn", observed=f"latest landed {latest}, {len(missing)} missing in the window",
        expected=f"every session of {window[0]}..{due} landed",
    )  # fmt: skip
