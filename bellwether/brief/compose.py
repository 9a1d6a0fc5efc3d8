"""Composing a brief from named queries, by rules.

Every number comes from a cell of a named query (``sql/queries``) run with bound
parameters; sentences are chosen by fixed rules on those cells (never generated freely).
Before printing, the session's data-quality results (query ``failed_checks``) are read: a
figure whose row was withheld by the quality gate, or a section whose session failed a
blocking check, says so instead of printing a number.

The brief never prints a blank. A figure that needs more history than is stored says so in
words, with the count of what is stored ("20-day average: not enough history, 14 of 20
sessions stored"); a chart without data is left out with a sentence saying why; a period
without a starting close says "no close stored before the period".
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import polars as pl

from bellwether import charts
from bellwether.brief.model import Brief, Figure, Part, Section
from bellwether.queries import run_query_or_empty
from bellwether.sqlfiles import load_sql
from bellwether.universe import UniverseConfig

BREADTH_UNIVERSE = "sp500_sample"
RS_PAIR = ("^RUT", "^GSPC")
CHART_SESSIONS = 252


class Composer:
    """Runs queries once each and hands out footnoted figures."""

    def __init__(self, con: duckdb.DuckDBPyConnection, as_of: date) -> None:
        self.con = con
        self.as_of = as_of
        self.figures: list[Figure] = []
        self._cache: dict[tuple, pl.DataFrame] = {}

    def rows(self, query: str, **params: Any) -> pl.DataFrame:
        key = (query, tuple(sorted(params.items())))
        if key not in self._cache:
            self._cache[key] = run_query_or_empty(self.con, query, **params)
        return self._cache[key]

    def fig(
        self,
        query: str,
        params: dict,
        row: dict,
        column: str,
        unit: str,
        key: tuple[str, ...] = ("ticker",),
    ) -> Figure:
        f = Figure(query, dict(params), {k: row[k] for k in key}, column, row[column], unit)
        self.figures.append(f)
        return f


def _by(frame: pl.DataFrame, column: str) -> dict[Any, dict]:
    return {r[column]: r for r in frame.iter_rows(named=True)}


def _withheld_reason(failed: pl.DataFrame, ticker: str | None = None) -> str | None:
    errors = failed.filter((pl.col("severity") == "error") & (pl.col("asset") == "raw/daily_bars"))
    if ticker is not None:
        errors = errors.filter(
            pl.col("failing_tickers").list.contains(ticker) | (pl.col("scope") == "session")
        )
    if errors.is_empty():
        return None
    return "; ".join(f"{c}: {m}" for c, m in errors.select("check", "message").iter_rows())


def _name(universe: UniverseConfig, ticker: str) -> str:
    inst = universe.instruments.get(ticker)
    return inst.name if inst and inst.name else ticker


def _indices(c: Composer, universe: UniverseConfig, failed: pl.DataFrame) -> Section:
    p = {"as_of": c.as_of, "universe": "indices"}
    moves = _by(c.rows("daily_moves", **p), "ticker")
    dist = _by(c.rows("distance_from_52w_high", **p), "ticker")
    recs = _by(c.rows("record_closes_ytd", **p), "ticker")
    section = Section("The indices", chart="indices_rebased")
    for t in universe.members("indices"):
        m = moves.get(t)
        if m is None:
            section.withheld.append(
                f"{_name(universe, t)}: no figure ({_withheld_reason(failed, t) or 'no bar landed for the session'})"
            )
            continue
        ret = m["ret_1d"]
        verb = (
            "closed at"
            if ret is None
            else "was unchanged at"
            if ret == 0
            else ("rose" if ret > 0 else "fell")
        )
        parts: list[Part] = [f"The {_name(universe, t)} {verb} "]
        if ret not in (0, None):
            parts += [c.fig("daily_moves", p, m, "ret_1d", "pct_abs"), " to "]
        parts.append(c.fig("daily_moves", p, m, "close", "level"))
        r = recs.get(t)
        if r and r["is_record_close"]:
            parts += [", a record close (stored history since ", c.fig("record_closes_ytd", p, r, "history_start", "date"),
                      "), its ", c.fig("record_closes_ytd", p, r, "record_closes_ytd", "ordinal"), " this year"]  # fmt: skip
        elif r and r["record_closes_ytd"]:
            parts += [
                "; ",
                c.fig("record_closes_ytd", p, r, "record_closes_ytd", "count"),
                " record close this year"
                if r["record_closes_ytd"] == 1
                else " record closes this year",
            ]
        d = dist.get(t)
        if d and d["pct_from_high_52w"] is not None and d["pct_from_high_52w"] < 0:
            parts += [
                ", ",
                c.fig("distance_from_52w_high", p, d, "pct_from_high_52w", "pct_abs"),
                " below its 52-week high",
            ]
        if m["ret_ytd"] is not None:
            parts += ["; ", c.fig("daily_moves", p, m, "ret_ytd", "pct"), " year to date"]
        parts.append(".")
        section.sentences.append(parts)
    return section


def _run_sentence(
    c: Composer, query: str, p: dict, r: dict, subject: str, what: str, key: tuple[str, ...]
) -> list[Part]:
    """``<subject> <what> for a 4th straight session, the longest such run since <date>.``

    A run of one session is just ``<subject> <what> today.`` (nothing to compare)."""
    if r["run_length"] == 1:
        return [f"{subject} {what} today."]
    parts: list[Part] = [
        f"{subject} {what} for a ",
        c.fig(query, p, r, "run_length", "ordinal", key),
        " straight session",
    ]
    if r["longest_since"] is not None:
        parts += [", the longest such run since ", c.fig(query, p, r, "longest_since", "date", key)]
    else:
        parts += [
            ", the longest in the stored history (since ",
            c.fig(query, p, r, "history_start", "date", key),
            ")",
        ]
    parts.append(".")
    return parts


def _streaks(c: Composer, universe: UniverseConfig) -> Section:
    p = {"as_of": c.as_of, "universe": "indices"}
    rows = c.rows("streaks_on_date", **p).filter(pl.col("run_length") >= 2)
    section = Section("Streaks")
    for r in rows.iter_rows(named=True):
        what = "closed higher" if r["kind"] == "up" else "closed lower"
        section.sentences.append(
            _run_sentence(
                c,
                "streaks_on_date",
                p,
                r,
                f"The {_name(universe, r['ticker'])}",
                what,
                ("ticker", "kind"),
            )
        )
    if not section.sentences:
        section.sentences.append(["No index is on a streak of two or more sessions."])
    return section


def _small_vs_large(c: Composer, universe: UniverseConfig) -> Section:
    p = {"as_of": c.as_of}
    rows = c.rows("small_vs_large_outperformance_run", **p)
    section = Section("Small caps vs large caps", chart="rut_vs_gspc")
    key = ("ticker", "benchmark", "kind")
    for r in rows.filter(pl.col("run_length") > 0).iter_rows(named=True):
        what = f"{'outperformed' if r['kind'] == 'outperf' else 'underperformed'} the {_name(universe, r['benchmark'])}"
        parts = _run_sentence(
            c,
            "small_vs_large_outperformance_run",
            p,
            r,
            f"The {_name(universe, r['ticker'])}",
            what,
            key,
        )
        # the sentence ends with "." (or " today."): continue it with the day's relative move
        last = parts[-1]
        parts[-1:] = [
            last.removesuffix("."),
            " (",
            c.fig("small_vs_large_outperformance_run", p, r, "excess_ret_1d", "pct", key),
            " relative to it on the day).",
        ]
        section.sentences.append(parts)
    moves = _by(c.rows("daily_moves", as_of=c.as_of, universe="indices"), "ticker")
    small, large = moves.get(RS_PAIR[0]), moves.get(RS_PAIR[1])
    if small and large and small["ret_ytd"] is not None and large["ret_ytd"] is not None:
        mp = {"as_of": c.as_of, "universe": "indices"}
        section.sentences.append(
            ["Year to date: Russell 2000 ", c.fig("daily_moves", mp, small, "ret_ytd", "pct"),
             ", S&P 500 ", c.fig("daily_moves", mp, large, "ret_ytd", "pct"), "."]
        )  # fmt: skip
    if rows.is_empty():
        section.withheld.append("no relative-performance rows for the session")
    elif not section.sentences:
        section.sentences.append(
            ["No pair is on a run: on the session their daily returns are equal or missing "
             "(a missing return means no previous close is stored)."]
        )  # fmt: skip
    return section


def _sectors(c: Composer, failed: pl.DataFrame) -> Section:
    p = {"as_of": c.as_of}
    rows = c.rows("sector_leaders_laggards", **p).filter(pl.col("rank_1d").is_not_null())
    section = Section("Sectors", chart="sector_moves")
    if rows.is_empty():
        section.chart = None
        section.withheld.append(
            f"no sector figures: {_withheld_reason(failed) or 'no sector ETF bars for the session'}"
        )
        return section
    key = ("ticker",)
    leaders, laggards = rows.head(3), rows.sort("rank_1d", descending=True).head(3)
    for label, frame in (("Leaders", leaders), ("Laggards", laggards)):
        parts: list[Part] = [f"{label}: "]
        for i, r in enumerate(frame.iter_rows(named=True)):
            parts += [
                ("; " if i else "") + f"{r['sector']} ({r['ticker']}) ",
                c.fig("sector_leaders_laggards", p, r, "ret_1d", "pct", key),
            ]
        parts.append(".")
        section.sentences.append(parts)
    return section


def _breadth(c: Composer, failed: pl.DataFrame) -> Section:
    p = {"as_of": c.as_of, "universe": BREADTH_UNIVERSE}
    rows = c.rows("breadth_on_date", **p)
    section = Section("Breadth (bundled S&P 500 constituents)", chart="breadth")
    if rows.is_empty():
        section.chart = None
        reason = (
            _withheld_reason(failed)
            or "the breadth universe has no data on this session (its members cover 2025-06-02..2026-01-30 in the bundled sample)"
        )
        section.withheld.append(f"no breadth figures: {reason}")
        return section
    r = rows.row(0, named=True)
    key = ("universe",)

    def f(col: str, unit: str) -> Figure:
        return c.fig("breadth_on_date", p, r, col, unit, key)

    mcclellan: list[Part] = (
        ["; McClellan oscillator ", f("mcclellan_osc", "level")]
        if r["mcclellan_osc"] is not None
        else [
            "; McClellan oscillator: not enough history (no net advances stored before the session)"
        ]
    )
    section.sentences.append(
        ["Advancers ", f("advancers", "count"), ", decliners ", f("decliners", "count"), ", unchanged ",
         f("unchanged", "count"), " of ", f("members_compared", "count"), " members", *mcclellan, "."]
    )  # fmt: skip
    above: list[Part] = []
    for n in (20, 50, 200):
        lead = "; " if above else "Members above their "
        if r[f"pct_above_sma_{n}"] is not None:
            above += [f"{lead}{n}-day average: ", f(f"pct_above_sma_{n}", "points")]
        else:
            above += [
                f"{lead}{n}-day average: not enough history (too few members have a full window)"
            ]
    section.sentences.append([*above, "."])
    if r["new_highs_52w"] is not None:
        section.sentences.append(
            ["New 52-week highs: ", f("new_highs_52w", "count"), ", new lows: ", f("new_lows_52w", "count"),
             " (of ", f("members_with_52w", "count"), " members with a 52-week range)."]
        )  # fmt: skip
    else:
        section.sentences.append(
            [
                "New 52-week highs and lows: not enough history (too few members have a 52-week range)."
            ]
        )
    return section


#: Closes RSI(14) needs: 14 close-to-close changes.
RSI_CLOSES = 15


def _short_history(
    c: Composer, query: str, p: dict, r: dict, column: str, n: int, what: str
) -> list[Part]:
    """``<what>: not enough history, 14 of 20 sessions stored`` (the count footnoted)."""
    return [
        f"{what}: not enough history, ",
        c.fig(query, p, r, column, "count"),
        f" of {n} {'closes' if what.startswith('RSI') else 'sessions'} stored",
    ]


def _technicals(c: Composer, universe: UniverseConfig) -> Section:
    p = {"as_of": c.as_of, "universe": "indices"}
    q = "technicals_snapshot"
    section = Section("Technicals of the indices")
    for r in c.rows(q, **p).iter_rows(named=True):
        items: list[list[Part]] = []
        if r["rsi_14"] is not None:
            zone = " (above 70)" if r["rsi_14"] > 70 else " (below 30)" if r["rsi_14"] < 30 else ""
            items.append(["RSI(14) ", c.fig(q, p, r, "rsi_14", "rsi"), zone])
        elif r["bars_stored"] < RSI_CLOSES:
            items.append(_short_history(c, q, p, r, "bars_stored", RSI_CLOSES, "RSI(14)"))
        else:
            items.append(["RSI(14): not defined (no gain and no loss in its window)"])
        for n in (20, 50, 200):
            if r[f"sma_{n}"] is not None:
                items.append([f"{n}-day average ", c.fig(q, p, r, f"sma_{n}", "level"),
                              " (close ", c.fig(q, p, r, f"pct_vs_sma_{n}", "pct"), " vs it)"])  # fmt: skip
            elif r["bars_stored"] < n:
                items.append(_short_history(c, q, p, r, "bars_stored", n, f"{n}-day average"))
            else:
                items.append(
                    [f"{n}-day average: not available (a session of its window has no bar)"]
                )
        parts: list[Part] = [f"{_name(universe, r['ticker'])}: "]
        for i, item in enumerate(items):
            parts += (["; "] if i else []) + item
        parts.append(".")
        section.sentences.append(parts)
    if not section.sentences:
        section.withheld.append(
            "no technicals: no index has a row in marts.technicals on the session"
        )
    return section


def _volume(c: Composer, universe: UniverseConfig) -> Section:
    p = {"as_of": c.as_of, "universe": "broad_etfs"}
    q = "volume_vs_3m_average"
    section = Section("Volume against the 3-month average")
    for r in c.rows(q, **p).iter_rows(named=True):
        if r["volume"] is None:
            section.sentences.append([f"{r['ticker']}: the source publishes no volume for it."])
            continue
        traded: list[Part] = [
            f"{r['ticker']} traded ",
            c.fig(q, p, r, "volume", "count"),
            " shares",
        ]
        rel = r["rel_volume"]
        if rel is not None:
            how = "well below" if rel < 0.75 else "well above" if rel > 1.25 else "near"
            section.sentences.append(
                [
                    *traded,
                    f", {how} its 3-month average (",
                    c.fig(q, p, r, "rel_volume", "ratio"),
                    ").",
                ]
            )
        elif r["bars_before"] < 63:
            section.sentences.append(
                [*traded, "; 3-month average: not enough history, ", c.fig(q, p, r, "bars_before", "count"),
                 " of 63 sessions stored before it."]
            )  # fmt: skip
        else:
            section.sentences.append(
                [
                    *traded,
                    "; 3-month average: not available (a session of its window has no bar or no volume).",
                ]
            )
    if not section.sentences:
        section.withheld.append(
            "no volume figures: no broad ETF has a row in marts.technicals on the session"
        )
    return section


def _periods(c: Composer, universe: UniverseConfig, session: date) -> Section:
    section = Section("Index moves over periods (from the close before the period)")
    section.table_header = ["index", "month to date", "year to date"]
    frames = {}
    for label, start in (("mtd", session.replace(day=1)), ("ytd", session.replace(month=1, day=1))):
        p = {"start_date": start, "end_date": session, "universe": "indices"}
        frames[label] = (
            p,
            _by(c.rows("moves_over_period", **p).filter(pl.col("basis") == "close"), "ticker"),
        )
    key = ("ticker", "basis")
    for t in universe.members("indices"):
        row: list[Part] = [_name(universe, t)]
        for label in ("mtd", "ytd"):
            p, rows = frames[label]
            r = rows.get(t)
            row.append(
                c.fig("moves_over_period", p, r, "period_return", "pct", key)
                if r and r["period_return"] is not None
                else "not enough history (no close stored before the period)"
            )
        section.table.append(row)
    return section


def _quality(c: Composer, session: date) -> tuple[Section, pl.DataFrame]:
    p = {"start_date": session, "end_date": session}
    failed = c.rows("failed_checks", **p)
    section = Section("Data quality")
    raw = failed.filter(pl.col("asset") == "raw/daily_bars")
    if raw.is_empty():
        section.sentences.append(["Every check of the session's bars passed."])
    for r in raw.iter_rows(named=True):
        key = ("asset", "check")
        section.sentences.append(
            [
                f"{r['check']} ({r['severity']}): ",
                c.fig("failed_checks", p, r, "message", "text", key),
            ]
        )
    return section, failed


def _sessions(rows: pl.DataFrame) -> int:
    """Sessions a chart's rows span (a line needs two)."""
    return rows["session_date"].n_unique() if rows.height else 0


def _number_in_reading_order(sections: list[Section]) -> None:
    """Footnote numbers follow the order in which figures appear in the text."""
    n = 0
    for s in sections:
        for parts in [*s.sentences, *s.table]:
            for p in parts:
                if isinstance(p, Figure):
                    n += 1
                    p.number = n


def _no_index_bar(con: duckdb.DuckDBPyConnection, as_of: date) -> str:
    """Why a brief for ``as_of`` has no data: the session it asked for, and the last session
    before it with an index bar (the brief to ask for instead), if any."""
    [(last, asked)] = con.execute(load_sql("catalog/last_index_session"), [as_of]).fetchall()
    said = f"no index bar is landed for {asked}, the last NYSE session on or before {as_of}"
    if last is None:
        return f"{said}, nor for any session before it"
    return f"{said}; the last session with index bars is {last} (`bellwether brief --date {last}`)"


def compose_brief(con: duckdb.DuckDBPyConnection, as_of: date, universe: UniverseConfig) -> Brief:
    """The brief for the last session on or before ``as_of`` (see module doc)."""
    c = Composer(con, as_of)
    moves = c.rows("daily_moves", as_of=as_of, universe="indices")
    if moves.is_empty():
        missing = Section("No data", withheld=[_no_index_bar(con, as_of)])
        return Brief(as_of, as_of, [missing], [], status="missing")
    session = moves["session_date"][0]
    quality, failed = _quality(c, session)
    sections = [
        _indices(c, universe, failed),
        _streaks(c, universe),
        _small_vs_large(c, universe),
        _sectors(c, failed),
        _breadth(c, failed),
        _technicals(c, universe),
        _volume(c, universe),
        _periods(c, universe, session),
        quality,
    ]
    rendered: dict[str, bytes] = {}

    def leave_out(chart: str, why: str) -> None:
        """No chart without data: the section says why it has none."""
        for s in sections:
            if s.chart == chart:
                s.chart = None
                s.sentences.append([f"The chart is left out: {why}."])

    rebased = c.rows("index_levels_rebased", as_of=session, universe="indices")
    if _sessions(rebased) >= 2:
        rendered["indices_rebased"] = charts.rebased_lines(
            rebased, f"Indices rebased to 100 at the end of {session.year - 1}"
        )
    else:
        leave_out(
            "indices_rebased",
            "rebasing the indices needs each index's last close of the previous year "
            "and two sessions of this year, which are not stored",
        )
    ratio = c.rows(
        "relative_strength_line",
        as_of=session,
        ticker=RS_PAIR[0],
        benchmark=RS_PAIR[1],
        sessions=CHART_SESSIONS,
    ).filter(pl.col("price_ratio").is_not_null())
    if _sessions(ratio) >= 2:
        rendered["rut_vs_gspc"] = charts.ratio_line(
            ratio, "Russell 2000 / S&P 500 (relative strength)"
        )
    else:
        leave_out(
            "rut_vs_gspc",
            "a line needs two sessions with both a Russell 2000 and an S&P 500 close, "
            "and fewer are stored",
        )
    sector_rows = c.rows("sector_leaders_laggards", as_of=session)
    if any(s.chart == "sector_moves" for s in sections):
        rendered["sector_moves"] = charts.sector_bars(sector_rows, f"Sector ETF moves on {session}")
    breadth_rows = c.rows(
        "breadth_history", as_of=session, universe=BREADTH_UNIVERSE, sessions=CHART_SESSIONS
    )
    if any(s.chart == "breadth" for s in sections) and _sessions(breadth_rows) >= 2:
        rendered["breadth"] = charts.breadth_lines(
            breadth_rows, "Breadth: A/D line and % above the 50-day average"
        )
    else:
        leave_out("breadth", "a line needs two sessions of breadth, and fewer are stored")
    _number_in_reading_order(sections)
    status = "partial" if any(s.withheld for s in sections) else "ok"
    figures = sorted((f for f in c.figures if f.number), key=lambda f: f.number)
    return Brief(session, as_of, sections, figures, rendered, status)
