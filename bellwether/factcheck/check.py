"""Checking each claim against the warehouse, through named queries only.

For every claim the checker reads one *primary* cell (the reading the words most plainly
mean, e.g. ``daily_moves.ret_1d`` for "rose 0.55%") and a list of *other readings* (the same
move from the open, the previous session, a relative run instead of a streak, another
average window). The verdict:

- ``confirmed``: the primary cell equals the figure at the figure's published precision
  (half a unit of its last written digit; "about" widens it to 5%);
- ``matches another reading``: the primary cell does not, but another reading does (named);
- ``wrong``: neither does (the warehouse value and the difference are given), or the claim
  names a date that is not a session;
- ``not in the warehouse``: the name, pair or figure is not held (the query's empty cell is
  the evidence);
- ``not a claim we can check``: a forecast, a figure no rule recognised, no name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import duckdb
import polars as pl

from bellwether import calendar
from bellwether.factcheck.dates import describe_non_session, session_on_or_before
from bellwether.factcheck.model import (
    CONFIRMED,
    NOT_IN_WAREHOUSE,
    OTHER_READING,
    UNCHECKABLE,
    WRONG,
    Claim,
    Evidence,
    Verdict,
)
from bellwether.queries import run_query_or_empty
from bellwether.universe import UniverseConfig

BREADTH_UNIVERSE = "sp500_sample"
SMA_WINDOWS = (20, 50, 200)

Reading = tuple[str, Evidence]


class Checker:
    """Runs each named query once per parameter set and turns cells into verdicts."""

    def __init__(self, con: duckdb.DuckDBPyConnection, universe: UniverseConfig, session: date):
        self.con = con
        self.universe = universe
        self.session = session
        self._cache: dict[tuple, pl.DataFrame] = {}
        self._members = {name: set(u.members) for name, u in universe.universes.items()}

    # -- cells -------------------------------------------------------------------------

    def rows(self, query: str, **params: Any) -> pl.DataFrame:
        key = (query, tuple(sorted(params.items())))
        if key not in self._cache:
            self._cache[key] = run_query_or_empty(self.con, query, **params)
        return self._cache[key]

    def cell(self, query: str, params: dict, key: dict, column: str) -> Evidence:
        df = self.rows(query, **params)
        for k, v in key.items():
            df = df.filter(pl.col(k) == v)
        value = df[column][0] if df.height else None
        return Evidence(query, dict(params), dict(key), column, value)

    def universe_of(self, ticker: str) -> str | None:
        for name in ("market", BREADTH_UNIVERSE):
            if ticker in self._members.get(name, ()):
                return name
        for name, members in self._members.items():
            if ticker in members:
                return name
        return None

    def counterpart(self, ticker: str) -> str | None:
        for etf, idx in self.universe.etf_index_tracking:
            if ticker == etf:
                return idx
            if ticker == idx:
                return etf
        return None

    # -- the verdict -------------------------------------------------------------------

    def check(self, claim: Claim) -> Verdict:
        if claim.uncheckable:
            return Verdict(claim, UNCHECKABLE, claim.uncheckable)
        if claim.unheld:
            return self._unheld(claim)
        if claim.subject is None and claim.kind != "breadth" and claim.measure != "sector_count":
            return Verdict(
                claim, UNCHECKABLE, "no index, ETF, sector or stock of the warehouse is named"
            )
        if claim.subject is not None and self.universe_of(claim.subject) is None:
            return self._unheld(claim, claim.subject)
        on = claim.on or self.session
        if claim.measure == "longest_since":
            return self._longest_since(claim, on)
        handler: Callable = getattr(self, f"_{claim.kind}")
        primary, readings, unit = handler(claim, on)
        if claim.kind == "sector" and unit == "text" and primary.value is None:
            why = self._role_explanation(claim, on)
            if why is not None and calendar.is_session(on):  # ranked, but neither first nor last
                return Verdict(claim, WRONG, why, primary, "neither")
        verdict = self._decide(claim, on, primary, readings, unit)
        if (
            claim.kind == "sector"
            and unit == "text"
            and verdict.verdict == WRONG
            and primary.value is not None
        ):
            verdict.explanation = self._role_explanation(claim, on) or verdict.explanation
        return verdict

    def _role_explanation(self, claim: Claim, on: date) -> str | None:
        df = self.rows("sector_leaders_laggards", as_of=on)
        mine = df.filter(pl.col("ticker") == claim.subject)
        if not mine.height:
            return None
        row = mine.row(0, named=True)
        other = df.filter(pl.col("role") == claim.measure)
        if not other.height:
            return None
        o = other.row(0, named=True)
        return (
            f"{row['sector']} ranked {row['rank_1d']} of {row['sector_count']} ({row['ret_1d'] * 100:+.2f}%); "
            f"the {claim.measure} was {o['sector']} ({o['ticker']}, {o['ret_1d'] * 100:+.2f}%)"
        )

    def _unheld(self, claim: Claim, symbol: str | None = None) -> Verdict:
        symbol = symbol or claim.unheld or ""
        if symbol.startswith("no relative pair"):
            a, b = symbol.removeprefix("no relative pair ").split("/")
            ev = self.cell("relative_runs_on_date", {"as_of": claim.on or self.session},
                           {"ticker": a, "benchmark": b}, "run_length")  # fmt: skip
            why = (
                f"the warehouse computes no relative run of {a} against {b} (not a configured pair)"
            )
            return Verdict(claim, NOT_IN_WAREHOUSE, why, ev)
        if symbol.startswith("sector source: "):
            source = symbol.removeprefix("sector source: ")
            ev = self.cell("sector_leaders_laggards", {"as_of": claim.on or self.session},
                           {"ticker": claim.subject}, "ret_1d")  # fmt: skip
            held = (
                ""
                if ev.value is None
                else f" ({ev.value * 100:+.2f}% on {session_on_or_before(claim.on or self.session)})"
            )
            why = (f"a sector figure from {source}, which the warehouse does not hold: it holds the "
                   f"SPDR sector ETFs ({claim.subject}{held})")  # fmt: skip
            return Verdict(claim, NOT_IN_WAREHOUSE, why, ev)
        ev = self.cell("daily_moves", {"as_of": claim.on or self.session, "universe": "market"},
                       {"ticker": symbol}, "close")  # fmt: skip
        name = claim.subject_text or symbol
        why = f"{name} ({symbol}) is not held: no instrument of config/universe.yaml, no bars"
        return Verdict(claim, NOT_IN_WAREHOUSE, why, ev)

    def _decide(self, claim, on, primary: Evidence, readings: list[Reading], unit) -> Verdict:
        shown = None if primary.value is None else self._fmt(primary.value, unit, claim)
        if not calendar.is_session(on):  # the date is wrong whatever the figure
            prev = session_on_or_before(on)
            if shown is None:
                why = f"{describe_non_session(on)}; the warehouse has no figure for {prev}, the last session before it"
                return Verdict(claim, WRONG, why, primary)
            same = self._matches(claim, primary.value, unit)
            why = (
                f"{describe_non_session(on)}; on {prev}, the last session before it, the warehouse "
                f"has {shown}" + (" (the figure is that session's)" if same else "")
            )
            return Verdict(
                claim, WRONG, why, primary, shown, self._diff(claim, primary.value, unit)
            )
        if on > self.session:
            why = f"{on} is after the recap's session {self.session}"
            return Verdict(claim, WRONG, why, primary, shown)
        if primary.value is None:
            for label, ev in readings:
                if ev.value is not None and self._matches(claim, ev.value, unit):
                    why = f"not held as stated ({primary.column} is empty); it matches {label}"
                    return Verdict(claim, OTHER_READING, why, primary, None, None, label, ev)
            return Verdict(claim, NOT_IN_WAREHOUSE, self._why_empty(claim, on, primary), primary)
        if self._matches(claim, primary.value, unit):
            return Verdict(claim, CONFIRMED, f"the warehouse has {shown}", primary, shown)
        for label, ev in readings:
            if ev.value is not None and self._matches(claim, ev.value, unit):
                why = f"read as stated the warehouse has {shown}; the figure is {label} ({self._fmt(ev.value, unit, claim)})"
                return Verdict(
                    claim,
                    OTHER_READING,
                    why,
                    primary,
                    shown,
                    self._diff(claim, primary.value, unit),
                    label,
                    ev,
                )
        diff = self._diff(claim, primary.value, unit)
        why = f"the warehouse has {shown}" + (f" (difference {diff})" if diff else "")
        if claim.kind == "sector" and claim.measure == "ret_1d":
            why += f"; the sector is its SPDR ETF {claim.subject}"
        return Verdict(claim, WRONG, why, primary, shown, diff)

    def _why_empty(self, claim: Claim, on: date, ev: Evidence) -> str:
        what = claim.subject or "the breadth universe"
        return (
            f"the warehouse holds no {ev.column} for {what} on {session_on_or_before(on)} "
            f"(no row or a NULL cell: history too short, no such source data, or outside the sample)"
        )

    # -- comparing -----------------------------------------------------------------------

    @staticmethod
    def _display(value: Any, unit: str) -> Any:
        if unit == "bool":
            return bool(value)
        if unit in ("pct",):
            return float(value) * 100
        if unit == "text":
            return value
        return float(value)

    def _matches(self, claim: Claim, value: Any, unit: str) -> bool:
        shown = self._display(value, unit)
        if unit == "bool" or unit == "text":
            return shown == claim.value
        claimed = float(claim.value)
        if claim.comparator == ">":
            return shown > claimed
        if claim.comparator == "<":
            return shown < claimed
        tol = 0.5 * 10 ** (-claim.decimals) * claim.scale * (1 + 1e-9) + 1e-12
        if claim.comparator == "~":
            tol = max(tol, 0.05 * abs(claimed))
        return abs(shown - claimed) <= tol

    def _fmt(self, value: Any, unit: str, claim: Claim) -> str:
        if value is None:
            return "n/a"
        d = max(claim.decimals, 2)
        match unit:
            case "bool":
                return "yes" if value else "no"
            case "text":
                return str(value)
            case "pct":
                if claim.kind == "volatility":
                    return f"{value * 100:.{d}f}%"
                return f"{value * 100:+.{d}f}%"
            case "percent":
                return f"{value:.{max(claim.decimals, 1)}f}%"
            case "points":
                return f"{value:+,.2f} points"
            case "level":
                return f"{value:,.2f}"
            case "count":
                return f"{int(value):,}"
            case "shares":
                if abs(value) >= 1e6 and claim.scale > 1:
                    return f"{value / 1e6:.{max(claim.decimals, 1)}f}M shares"
                return f"{value:,.0f} shares"
            case "ratio":
                return f"{value:.2f}x"
            case "rsi":
                return f"{value:.1f}"
        return str(value)

    def _diff(self, claim: Claim, value: Any, unit: str) -> str | None:
        if unit in ("bool", "text") or claim.comparator in (">", "<"):
            return None
        delta = self._display(value, unit) - float(claim.value)
        d = max(claim.decimals, 2)
        match unit:
            case "pct":
                return f"{delta:+.{d}f} pp"
            case "shares":
                if claim.scale == 1:
                    return f"{delta:+,.0f} shares"
                return f"{delta / 1e6:+.{max(claim.decimals, 1)}f}M shares"
            case "count":
                return f"{delta:+.0f}"
        return f"{delta:+,.{d}f}"

    # -- the readings of each kind ---------------------------------------------------------------

    def _member_params(self, ticker: str, on: date) -> dict:
        return {"as_of": on, "universe": self.universe_of(ticker)}

    def _prev(self, on: date) -> date:
        return calendar.previous_session(session_on_or_before(on))

    def _level(self, claim: Claim, on: date):
        t = claim.subject
        p = self._member_params(t, on)
        primary = self.cell("daily_moves", p, {"ticker": t}, "close")
        prev = self.cell("daily_moves", p, {"ticker": t}, "prev_close")
        return primary, [(f"the close of the previous session ({self._prev(on)})", prev)], "level"

    def _move_pct(self, claim: Claim, on: date):
        return self._day_move(claim, on, "ret_1d", "period_return", "pct")

    def _move_points(self, claim: Claim, on: date):
        return self._day_move(claim, on, "change", "change", "points")

    def _day_move(self, claim: Claim, on: date, column: str, open_column: str, unit: str):
        t = claim.subject
        p = self._member_params(t, on)
        s = session_on_or_before(on)
        primary = self.cell("daily_moves", p, {"ticker": t}, column)
        readings: list[Reading] = []
        op = {"start_date": s, "end_date": s, "universe": self.universe_of(t)}
        readings.append((f"the move from the session's open (open basis, {s})",
                         self.cell("moves_over_period", op, {"ticker": t, "basis": "open"}, open_column)))  # fmt: skip
        prev = self._prev(on)
        pp = self._member_params(t, prev)
        readings.append(
            (
                f"the move of the previous session ({prev})",
                self.cell("daily_moves", pp, {"ticker": t}, column),
            )
        )
        if unit == "pct":
            readings.append(
                ("the 5-session move", self.cell("daily_moves", p, {"ticker": t}, "ret_5d"))
            )
            other = self.counterpart(t)
            if other is not None and self.universe_of(other):
                readings.append(
                    (
                        f"the move of {other}, not {t}",
                        self.cell(
                            "daily_moves", self._member_params(other, on), {"ticker": other}, column
                        ),
                    )
                )
        return primary, readings, unit

    def _period_return(self, claim: Claim, on: date):
        t = claim.subject
        kind, start, end = claim.period
        column = "period_return" if claim.unit == "pct" else "change"
        unit = claim.unit
        u = self.universe_of(t)
        end = end or on
        if kind in ("ytd", "mtd"):
            s = session_on_or_before(end)
            first = date(s.year, 1, 1) if kind == "ytd" else s.replace(day=1)
            p = {"start_date": first, "end_date": s, "universe": u}
            if claim.unit == "pct":
                primary = self.cell(
                    "daily_moves", self._member_params(t, s), {"ticker": t}, f"ret_{kind}"
                )
            else:
                primary = self.cell("moves_over_period", p, {"ticker": t, "basis": "close"}, column)
            label = "year" if kind == "ytd" else "month"
            readings = [(f"measured from the open of the {label}'s first session (open basis)",
                         self.cell("moves_over_period", p, {"ticker": t, "basis": "open"}, column))]  # fmt: skip
            return primary, readings, unit
        if kind == "week":
            s = session_on_or_before(end)
            monday = s - timedelta(days=s.weekday())
            p = {"start_date": monday, "end_date": s, "universe": u}
            primary = self.cell("moves_over_period", p, {"ticker": t, "basis": "close"}, column)
            readings = [("measured from the open of the week's first session (open basis)",
                         self.cell("moves_over_period", p, {"ticker": t, "basis": "open"}, column))]  # fmt: skip
            if claim.unit == "pct":
                readings.append(
                    (
                        "the 5-session return",
                        self.cell(
                            "daily_moves", self._member_params(t, s), {"ticker": t}, "ret_5d"
                        ),
                    )
                )
            return primary, readings, unit
        # since / range: close basis from the last close before the start
        p = {"start_date": start, "end_date": end, "universe": u}
        primary = self.cell("moves_over_period", p, {"ticker": t, "basis": "close"}, column)
        readings = [(f"measured from the open of {start} (open basis), not from the previous close",
                     self.cell("moves_over_period", p, {"ticker": t, "basis": "open"}, column))]  # fmt: skip
        if calendar.is_session(start):
            nxt = start + timedelta(days=1)
            p2 = {"start_date": nxt, "end_date": end, "universe": u}
            readings.append((f"measured from the close of {start} (its own move excluded)",
                             self.cell("moves_over_period", p2, {"ticker": t, "basis": "close"}, column)))  # fmt: skip
        return primary, readings, unit

    def _streak(self, claim: Claim, on: date):
        t = claim.subject
        kind = "up" if (claim.direction or 1) > 0 else "down"
        primary = self.cell(
            "streaks_on_date", self._member_params(t, on), {"ticker": t, "kind": kind}, "run_length"
        )
        readings: list[Reading] = []
        rel_kind = "outperf" if kind == "up" else "underperf"
        for tk, bm in self.universe.relative_pairs:
            if tk == t:
                ev = self.cell(
                    "relative_runs_on_date",
                    {"as_of": on},
                    {"ticker": tk, "benchmark": bm, "kind": rel_kind},
                    "run_length",
                )
                word = "outperformed" if rel_kind == "outperf" else "underperformed"
                readings.append(
                    (
                        f"a relative run: {t} {word} {bm} that many sessions in a row, not an absolute {kind} streak",
                        ev,
                    )
                )
        return primary, readings, "count"

    def _relative_run(self, claim: Claim, on: date):
        t, bm, kind = claim.subject, claim.benchmark, claim.measure
        primary = self.cell(
            "relative_runs_on_date",
            {"as_of": on},
            {"ticker": t, "benchmark": bm, "kind": kind},
            "run_length",
        )
        readings: list[Reading] = []
        streak = "up" if kind == "outperf" else "down"
        ev = self.cell(
            "streaks_on_date",
            self._member_params(t, on),
            {"ticker": t, "kind": streak},
            "run_length",
        )
        readings.append(
            (f"an absolute {streak} streak of {t}, not a relative run against {bm}", ev)
        )
        ct, cb = self.counterpart(t), self.counterpart(bm)
        if ct and cb and (ct, cb) in self.universe.relative_pairs:
            ev = self.cell(
                "relative_runs_on_date",
                {"as_of": on},
                {"ticker": ct, "benchmark": cb, "kind": kind},
                "run_length",
            )
            readings.append((f"the run of {ct} against {cb}", ev))
        return primary, readings, "count"

    def _longest_since(self, claim: Claim, on: date) -> Verdict:
        """ "The longest run since March": the last session a run at least as long ended."""
        kind = claim.run  # up/down or outperf/underperf
        if claim.kind == "streak":
            query, params = "streaks_on_date", self._member_params(claim.subject, on)
            key = {"ticker": claim.subject, "kind": kind}
        else:
            query, params = "relative_runs_on_date", {"as_of": on}
            key = {"ticker": claim.subject, "benchmark": claim.benchmark, "kind": kind}
        precision, claimed, _ = claim.period
        ev = self.cell(query, params, key, "longest_since")
        longer = self.cell(query, params, key, "last_longer_session")
        start = self.cell(query, params, key, "history_start")
        length = self.cell(query, params, key, "run_length")

        def same(d: date | None) -> bool:
            if d is None:
                return False
            if precision == "day":
                return d == claimed
            if precision == "month":
                return (d.year, d.month) == (claimed.year, claimed.month)
            return d.year == claimed.year

        written = {
            "day": claimed.isoformat(),
            "month": claimed.strftime("%B %Y"),
            "year": str(claimed.year),
        }[precision]
        if length.value in (None, 0):
            return Verdict(claim, WRONG, "there is no such run on the session", length, "0")
        if ev.value is None:
            if start.value is not None and claimed <= start.value:
                why = (f"the run is the longest in the stored history, which starts on {start.value}: "
                       f"the warehouse cannot see back to {written}")  # fmt: skip
                return Verdict(claim, NOT_IN_WAREHOUSE, why, ev, "longest in the stored history")
            why = (f"no run as long since the stored history starts ({start.value}): it is longer than "
                   f"any run since {written}, and since long before")  # fmt: skip
            return Verdict(claim, WRONG, why, ev, "longest in the stored history")
        if same(ev.value):
            return Verdict(
                claim,
                CONFIRMED,
                f"a run at least as long last ended on {ev.value}",
                ev,
                str(ev.value),
            )
        if same(longer.value):
            why = (f"a run at least as long last ended on {ev.value}; {written} is when a strictly "
                   f"longer one last ended ({longer.value})")  # fmt: skip
            return Verdict(
                claim,
                OTHER_READING,
                why,
                ev,
                str(ev.value),
                None,
                "the last strictly longer run",
                longer,
            )
        return Verdict(
            claim,
            WRONG,
            f"a run at least as long last ended on {ev.value}, not in {written}",
            ev,
            str(ev.value),
        )

    def _record_count(self, claim: Claim, on: date):
        t = claim.subject
        primary = self.cell(
            "record_closes_ytd", self._member_params(t, on), {"ticker": t}, "record_closes_ytd"
        )
        return primary, [], "count"

    def _record(self, claim: Claim, on: date):
        t = claim.subject
        if claim.measure in ("pct_from_record", "record_close"):
            column = "pct_from_record" if claim.measure == "pct_from_record" else "record_close"
            unit = "pct" if column == "pct_from_record" else "level"
            p = self._member_params(t, on)
            readings: list[Reading] = []
            if column == "pct_from_record":
                readings.append(("the distance from the 52-week intraday high, not the record close",
                                 self.cell("distance_from_52w_high", p, {"ticker": t}, "pct_from_high_52w")))  # fmt: skip
            return self.cell("record_closes_ytd", p, {"ticker": t}, column), readings, unit
        primary = self.cell(
            "record_closes_ytd", self._member_params(t, on), {"ticker": t}, "is_record_close"
        )
        readings: list[Reading] = []
        if claim.value:
            ev = self.cell(
                "distance_from_52w_high",
                self._member_params(t, on),
                {"ticker": t},
                "is_new_high_52w",
            )
            readings.append(("an intraday 52-week high, not a record close", ev))
        return primary, readings, "bool"

    def _high_52w(self, claim: Claim, on: date):
        t = claim.subject
        p = self._member_params(t, on)
        key = {"ticker": t}
        column, unit, readings = None, None, []
        match claim.measure:
            case "pct_from_high":
                column, unit = "pct_from_high_52w", "pct"
                readings.append(("the distance from the record close (not the 52-week intraday high)",
                                 self.cell("record_closes_ytd", p, key, "pct_from_record")))  # fmt: skip
            case "pct_above_low":
                column, unit = "pct_above_low_52w", "pct"
            case "high_52w":
                column, unit = "high_52w", "level"
                readings.append(("the record close, not the 52-week intraday high",
                                 self.cell("record_closes_ytd", p, key, "record_close")))  # fmt: skip
            case "low_52w":
                column, unit = "low_52w", "level"
            case "is_new_high":
                column, unit = "is_new_high_52w", "bool"
                readings.append(("a record close, not a 52-week intraday high",
                                 self.cell("record_closes_ytd", p, key, "is_record_close")))  # fmt: skip
            case "is_new_low":
                column, unit = "is_new_low_52w", "bool"
        return self.cell("distance_from_52w_high", p, key, column), readings, unit

    def _sma(self, claim: Claim, on: date):
        t = claim.subject
        p = self._member_params(t, on)
        column, unit = {"sma": ("sma_{}", "level"), "above_sma": ("above_sma_{}", "bool"),
                        "pct_vs_sma": ("pct_vs_sma_{}", "pct")}[claim.measure]  # fmt: skip
        w = claim.window
        if w in SMA_WINDOWS:
            primary = self.cell("technicals_snapshot", p, {"ticker": t}, column.format(w))
        else:  # any other window: the same rule over raw bars
            params = {"as_of": on, "ticker": t, "sessions": w}
            primary = self.cell("moving_average_on_date", params, {}, column.format("")[:-1])
        readings = [
            (
                f"the {o}-session average, not the {w}-session one",
                self.cell("technicals_snapshot", p, {"ticker": t}, column.format(o)),
            )
            for o in SMA_WINDOWS
            if o != w and unit != "bool"
        ]
        return primary, readings, unit

    def _rsi(self, claim: Claim, on: date):
        t = claim.subject
        primary = self.cell(
            "technicals_snapshot", self._member_params(t, on), {"ticker": t}, "rsi_14"
        )
        prev = self._prev(on)
        readings = [(f"the RSI of the previous session ({prev})",
                     self.cell("technicals_snapshot", self._member_params(t, prev), {"ticker": t}, "rsi_14"))]  # fmt: skip
        return primary, readings, "rsi"

    def _volume(self, claim: Claim, on: date):
        t = claim.subject
        p = self._member_params(t, on)
        key = {"ticker": t}
        readings: list[Reading] = []
        match claim.measure:
            case "volume":
                primary = self.cell("volume_vs_3m_average", p, key, "volume")
                prev = self._prev(on)
                readings.append((f"the volume of the previous session ({prev})",
                                 self.cell("volume_vs_3m_average", self._member_params(t, prev), key, "volume")))  # fmt: skip
                return primary, readings, "shares"
            case "avg_volume":
                column = "avg_volume_20" if claim.window == 20 else "avg_volume_63"
                primary = self.cell("volume_vs_3m_average", p, key, column)
                if claim.window not in (None, 20, 63):  # another window: the windows query
                    primary = self.cell(
                        "volume_average_windows",
                        {"as_of": on, "ticker": t},
                        {"sessions": claim.window, "ending": "previous"},
                        "avg_volume",
                    )
                w = self.rows("volume_average_windows", as_of=on, ticker=t)
                for sessions, ending in w.select("sessions", "ending").iter_rows():
                    ev = self.cell("volume_average_windows", {"as_of": on, "ticker": t},
                                   {"sessions": sessions, "ending": ending}, "avg_volume")  # fmt: skip
                    where = (
                        "ending the previous session"
                        if ending == "previous"
                        else "including the session itself"
                    )
                    readings.append((f"the {sessions}-session average {where}", ev))
                return primary, readings, "shares"
            case "pct_vs_avg":
                return self.cell("volume_vs_3m_average", p, key, "pct_vs_avg_63"), readings, "pct"
            case "rel_volume":
                return self.cell("volume_vs_3m_average", p, key, "rel_volume"), readings, "ratio"
        raise ValueError(claim.measure)

    def _volatility(self, claim: Claim, on: date):
        t = claim.subject
        return (
            self.cell(
                "technicals_snapshot", self._member_params(t, on), {"ticker": t}, "volatility_20d"
            ),
            [],
            "pct",
        )

    def _breadth(self, claim: Claim, on: date):
        p = {"as_of": on, "universe": BREADTH_UNIVERSE}
        readings: list[Reading] = []
        m = claim.measure
        if m == "pct_above_sma":
            column = f"pct_above_sma_{claim.window}"
            if claim.window not in SMA_WINDOWS:  # any other window: the same rule over raw bars
                params = p | {"sessions": claim.window}
                return (
                    self.cell("breadth_above_average", params, {}, "pct_above_sma"),
                    [],
                    "percent",
                )
            for o in SMA_WINDOWS:
                if o != claim.window:
                    readings.append(
                        (
                            f"the share above the {o}-session average",
                            self.cell("breadth_on_date", p, {}, f"pct_above_sma_{o}"),
                        )
                    )
            return self.cell("breadth_on_date", p, {}, column), readings, "percent"
        if m in ("advancers", "decliners"):
            other = "decliners" if m == "advancers" else "advancers"
            readings.append(
                (f"the number of {other}, not {m}", self.cell("breadth_on_date", p, {}, other))
            )
        return self.cell("breadth_on_date", p, {}, m), readings, "count"

    def _sector(self, claim: Claim, on: date):
        t = claim.subject
        p = {"as_of": on}
        key = {"ticker": t}
        if claim.measure == "sector_count":  # the same on every row: read the leader's
            return (
                self.cell("sector_leaders_laggards", p, {"role": "leader"}, "sector_count"),
                [],
                "count",
            )
        if claim.measure == "ret_1d":
            primary = self.cell("sector_leaders_laggards", p, key, "ret_1d")
            prev = self._prev(on)
            readings = [
                (
                    "the move relative to SPY (excess return)",
                    self.cell("sector_leaders_laggards", p, key, "excess_ret_1d"),
                ),
                ("the year-to-date move", self.cell("sector_leaders_laggards", p, key, "ret_ytd")),
                (
                    f"the move of the previous session ({prev})",
                    self.cell("sector_leaders_laggards", {"as_of": prev}, key, "ret_1d"),
                ),
            ]
            return primary, readings, "pct"
        # leader / laggard: the role column says which sector ranked first or last
        ev = self.cell("sector_leaders_laggards", p, key, "role")
        claim.value = claim.measure
        return ev, [], "text"
