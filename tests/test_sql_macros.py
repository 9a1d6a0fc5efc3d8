"""The public SQL macros (schema ``bw``, sql/macros) on the fully built bundled warehouse.

Every figure is checked against an independent recomputation in plain Python from
raw.daily_bars and the exchange calendar (:class:`Reference`), not against the marts.
:class:`Reference` is also used by tests/test_sql_queries.py.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from datetime import date

import duckdb
import polars as pl
import pytest

from bellwether.calendar import half_days, sessions_between, weekday_closures
from tests.conftest import BUNDLED_FIRST, BUNDLED_LAST

HOSTILE = "IWM'; DROP TABLE raw.daily_bars; --"
INDICES = ["^GSPC", "^IXIC", "^DJI", "^RUT"]
BROAD_ETFS = ["SPY", "QQQ", "DIA", "IWM"]
SECTOR_ETFS = ["XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY"]
#: Instruments of the "market" universe (indices, ETFs, the two banks).
MARKET = [*INDICES, *BROAD_ETFS, *SECTOR_ETFS, "HBAN", "RF"]


def sample_sessions() -> list[date]:
    """Bundled sessions worth asking about: the first ones, both sides of every holiday and
    half day, year ends and starts, the data-coverage edges, 2025-12-05 (five sector ETFs
    split), the last session, and every 40th session in between."""
    sessions = sessions_between(BUNDLED_FIRST, BUNDLED_LAST)
    picked = set(sessions[:3]) | set(sessions[::40]) | {sessions[-1]}
    for closed in weekday_closures(BUNDLED_FIRST, BUNDLED_LAST):
        i = bisect.bisect_left(sessions, closed)
        picked |= set(sessions[max(0, i - 1) : i + 1])
    for half in half_days(BUNDLED_FIRST, BUNDLED_LAST):
        i = sessions.index(half)
        picked |= set(sessions[i : i + 2])
    for year in (2024, 2025, 2026):
        in_year = [s for s in sessions if s.year == year]
        picked |= {in_year[0], in_year[-1]}
    picked |= {
        date(2025, 6, 2), date(2025, 6, 3), date(2025, 12, 5), date(2026, 1, 30),
        date(2026, 2, 2), date(2026, 2, 5), date(2026, 2, 6), date(2026, 2, 26), date(2026, 2, 27),
    }  # fmt: skip
    return sorted(picked)


class Reference:
    """Independent recomputation of the figures from raw bars and the XNYS calendar."""

    def __init__(self, bars: pl.DataFrame, decimals: dict[str, int]) -> None:
        self.calendar = sessions_between(date(2023, 1, 1), date(2027, 1, 1))
        self.position = {d: i for i, d in enumerate(self.calendar)}
        self.decimals = decimals
        self.bar: dict[tuple[str, date], dict] = {}
        self.dates: dict[str, list[date]] = {}
        for row in bars.sort("ticker", "session_date").iter_rows(named=True):
            self.bar[(row["ticker"], row["session_date"])] = row
            self.dates.setdefault(row["ticker"], []).append(row["session_date"])
        self._streaks: dict[str, dict[date, tuple[int, int]]] = {}
        self._relative: dict[tuple[str, str], dict[date, tuple[int, int]]] = {}

    # -- calendar --------------------------------------------------------------------
    def on_or_before(self, d: date) -> date:
        return self.calendar[bisect.bisect_right(self.calendar, d) - 1]

    def on_or_after(self, d: date) -> date:
        return self.calendar[bisect.bisect_left(self.calendar, d)]

    def before(self, d: date) -> date:
        return self.calendar[bisect.bisect_left(self.calendar, d) - 1]

    def back(self, d: date, n: int) -> date:
        """The session n sessions before session d."""
        return self.calendar[self.position[d] - n]

    # -- prices ----------------------------------------------------------------------
    def close(self, ticker: str, d: date) -> float | None:
        row = self.bar.get((ticker, d))
        return None if row is None else row["close"]

    def last_bar_before(self, ticker: str, d: date) -> date | None:
        ds = self.dates.get(ticker, [])
        i = bisect.bisect_left(ds, d)
        return ds[i - 1] if i else None

    def period_return(self, ticker: str, start: date, end: date, basis: str) -> float | None:
        first, last = self.on_or_after(start), self.on_or_before(end)
        if first > last:
            return None
        to_price = self.close(ticker, last)
        if basis == "close":
            base = self.last_bar_before(ticker, start)
            from_price = None if base is None else self.close(ticker, base)
        else:
            row = self.bar.get((ticker, first))
            from_price = None if row is None else row["open"]
        if to_price is None or from_price is None:
            return None
        return to_price / from_price - 1

    def ret(self, ticker: str, d: date, n: int = 1) -> float | None:
        now, then = self.close(ticker, d), self.close(ticker, self.back(d, n))
        return None if now is None or then is None else now / then - 1

    def window(self, ticker: str, d: date, n: int, field: str) -> list | None:
        """``field`` of the n sessions ending d, or None if a bar (or value) is missing."""
        i = self.position[d]
        if i - n + 1 < 0:
            return None
        rows = [self.bar.get((ticker, s)) for s in self.calendar[i - n + 1 : i + 1]]
        if any(r is None or r[field] is None for r in rows):
            return None
        return [r[field] for r in rows]

    # -- runs ------------------------------------------------------------------------
    def direction(self, ticker: str, d: date) -> int | None:
        """sign(close - previous session's close) at the published precision."""
        now, prev = self.close(ticker, d), self.close(ticker, self.before(d))
        if now is None or prev is None:
            return None
        scale = 10 ** self.decimals[ticker]
        a, b = round(now * scale), round(prev * scale)
        return (a > b) - (a < b)

    def streaks(self, ticker: str) -> dict[date, tuple[int, int]]:
        """(up_streak, down_streak) on every session with a bar."""
        if ticker not in self._streaks:
            out: dict[date, tuple[int, int]] = {}
            up = down = 0
            for d in self.dates[ticker]:
                move = self.direction(ticker, d)
                up = up + 1 if move == 1 else 0
                down = down + 1 if move == -1 else 0
                out[d] = (up, down)
            self._streaks[ticker] = out
        return self._streaks[ticker]

    def relative_runs(self, ticker: str, benchmark: str) -> dict[date, tuple[int, int]]:
        """(outperf_streak, underperf_streak) on every session the ticker has a bar."""
        if (ticker, benchmark) not in self._relative:
            out: dict[date, tuple[int, int]] = {}
            up = down = 0
            for d in self.dates[ticker]:
                mine, theirs = self.ret(ticker, d), self.ret(benchmark, d)
                better = (
                    None if mine is None or theirs is None else (mine > theirs) - (mine < theirs)
                )
                up = up + 1 if better == 1 else 0
                down = down + 1 if better == -1 else 0
                out[d] = (up, down)
            self._relative[(ticker, benchmark)] = out
        return self._relative[(ticker, benchmark)]

    @staticmethod
    def longest_since(runs: dict[date, int], d: date, strictly: bool = False):
        """(last session before d with a run >= (>) the run on d, its length); Nones if the
        run on d is 0 or none was that long."""
        length = runs[d]
        if length == 0:
            return None, None
        earlier = [
            s for s, n in runs.items() if s < d and (n > length if strictly else n >= length)
        ]
        return (max(earlier), runs[max(earlier)]) if earlier else (None, None)

    @staticmethod
    def run_start(runs: dict[date, int], d: date) -> date | None:
        if runs[d] == 0:
            return None
        return max(s for s, n in runs.items() if s <= d and n == 1)


@pytest.fixture(scope="module")
def con(built_warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    with built_warehouse.connect(read_only=True) as c:
        yield c


@pytest.fixture(scope="module")
def ref(con) -> Reference:
    bars = con.sql("SELECT * FROM raw.daily_bars").pl()
    decimals = dict(con.execute("SELECT ticker, price_decimals FROM raw.instruments").fetchall())
    return Reference(bars, decimals)


def scalar(con: duckdb.DuckDBPyConnection, sql: str, *params):
    return con.execute(sql, list(params)).fetchall()[0][0]


# -- the interface ---------------------------------------------------------------------


def test_public_macros_live_in_schema_bw_with_their_documented_signatures(con):
    rows = con.execute(
        "SELECT function_name, function_type, parameters FROM duckdb_functions() "
        "WHERE schema_name = 'bw' AND function_name NOT LIKE '\\_%' ESCAPE '\\'"
    ).fetchall()
    found = {name: (kind, list(params)) for name, kind, params in rows}
    assert found == {
        "session_before": ("macro", ["d"]),
        "session_on_or_before": ("macro", ["d"]),
        "session_on_or_after": ("macro", ["d"]),
        "session_after": ("macro", ["d"]),
        "is_session": ("macro", ["d"]),
        "members_on": ("table_macro", ["universe_name", "on_date"]),
        "close_on": ("macro", ["ticker", "d"]),
        "open_on": ("macro", ["ticker", "d"]),
        "last_bar_before": ("macro", ["ticker", "d"]),
        "is_above_average": ("macro", ["price", "average"]),
        "period_return": ("macro", ["ticker", "start_date", "end_date", "basis"]),
        "period_returns": ("table_macro", ["start_date", "end_date"]),
        "streak_runs": ("table_macro", ["on_date"]),
        "relative_runs": ("table_macro", ["on_date"]),
        "streak_length": ("macro", ["ticker", "on_date", "kind"]),
        "longest_streak_since": ("macro", ["ticker", "on_date", "kind"]),
        "relative_run_length": ("macro", ["ticker", "benchmark", "on_date", "kind"]),
        "longest_relative_run_since": ("macro", ["ticker", "benchmark", "on_date", "kind"]),
    }


def test_members_on_applies_the_active_window(con):
    members = "SELECT count(*) FROM bw.members_on('sp500_sample', ?)"
    assert con.execute(members, [date(2025, 12, 5)]).fetchall() == [(503,)]
    assert con.execute(members, [date(2025, 5, 30)]).fetchall() == [(0,)]  # before the snapshot
    assert con.execute(
        "SELECT count(*) FROM bw.members_on('indices', DATE '1999-01-04')"
    ).fetchall() == [(4,)]


def test_applying_the_macros_again_is_idempotent(built_warehouse, tmp_path):
    import shutil

    from bellwether.warehouse import Warehouse, apply_schema

    copy = tmp_path / "copy.duckdb"
    shutil.copy(built_warehouse.path, copy)
    with Warehouse(copy).connect() as con:  # a writable connection applies them once
        apply_schema(con)  # and again
        assert scalar(con, "SELECT bw.session_before(DATE '2025-12-08')") == date(2025, 12, 5)


# -- sessions --------------------------------------------------------------------------


def test_session_helpers_follow_the_nyse_calendar(con, ref):
    days = [date(2025, 12, d) for d in range(1, 32)]
    days += [*weekday_closures(BUNDLED_FIRST, BUNDLED_LAST), date(2024, 1, 2), date(2026, 6, 29)]
    for d in days:
        got = con.execute(
            "SELECT bw.session_before($1), bw.session_on_or_before($1), "
            "bw.session_on_or_after($1), bw.session_after($1), bw.is_session($1)",
            [d],
        ).fetchall()[0]
        is_session = d in ref.calendar
        after = ref.calendar[bisect.bisect_right(ref.calendar, d)]
        assert got == (ref.before(d), ref.on_or_before(d), ref.on_or_after(d), after, is_session)
    # ISO strings work like dates
    assert scalar(con, "SELECT bw.session_before('2025-11-28')") == date(2025, 11, 26)


def test_bar_lookups(con, ref):
    assert scalar(con, "SELECT bw.close_on('SPY', DATE '2025-12-05')") == ref.close(
        "SPY", date(2025, 12, 5)
    )
    assert (
        scalar(con, "SELECT bw.open_on('SPY', '2025-12-05')")
        == (ref.bar[("SPY", date(2025, 12, 5))]["open"])
    )
    assert scalar(con, "SELECT bw.close_on('XLK', '2026-02-06')") is None  # sector data ends
    assert scalar(con, "SELECT bw.last_bar_before('XLK', '2026-06-29')") == date(2026, 2, 5)
    assert scalar(con, "SELECT bw.last_bar_before('SPY', '2024-01-02')") is None


# -- period_return ---------------------------------------------------------------------


def test_period_return_close_basis_is_previous_close_to_end_close(con, ref):
    # SPY in 2025: from the 2024-12-31 close to the 2025-12-31 close, by hand
    by_hand = ref.close("SPY", date(2025, 12, 31)) / ref.close("SPY", date(2024, 12, 31)) - 1
    got = scalar(con, "SELECT bw.period_return('SPY', '2025-01-01', '2025-12-31', 'close')")
    assert got == pytest.approx(by_hand, rel=1e-12)
    # the week of 2025-12-01..2025-12-05 (a Saturday end resolves to Friday's close)
    by_hand = ref.close("^GSPC", date(2025, 12, 5)) / ref.close("^GSPC", date(2025, 11, 28)) - 1
    got = scalar(con, "SELECT bw.period_return('^GSPC', '2025-12-01', '2025-12-06', 'close')")
    assert got == pytest.approx(by_hand, rel=1e-12)


def test_period_return_open_basis_is_first_open_to_end_close(con, ref):
    # a holiday start (2025-11-27) starts from the open of the next session
    by_hand = ref.close("IWM", date(2025, 12, 5)) / ref.bar[("IWM", date(2025, 11, 28))]["open"] - 1
    got = scalar(con, "SELECT bw.period_return('IWM', '2025-11-27', '2025-12-05', 'open')")
    assert got == pytest.approx(by_hand, rel=1e-12)
    # one session: its open-to-close move
    bar = ref.bar[("^RUT", date(2025, 12, 5))]
    got = scalar(con, "SELECT bw.period_return('^RUT', '2025-12-05', '2025-12-05', 'open')")
    assert got == pytest.approx(bar["close"] / bar["open"] - 1, rel=1e-12)


def test_period_return_matches_the_reference_over_many_periods(con, ref):
    sessions = sessions_between(BUNDLED_FIRST, BUNDLED_LAST)
    starts = [date(2024, 1, 1), date(2024, 7, 4), date(2025, 1, 1), date(2025, 6, 1)]
    starts += [date(2025, 12, 5), date(2026, 2, 6), sessions[-1]]
    ends = [date(2024, 12, 31), date(2025, 4, 18), date(2025, 12, 5), date(2026, 1, 31)]
    ends += [date(2026, 2, 27), date(2026, 6, 30)]
    tickers = [*MARKET, "AAPL", "FISV", "Q"]
    periods = [(s, e) for s in starts for e in ends]
    checked = 0
    for start, end in periods:
        table = con.execute(
            "SELECT ticker, basis, period_return, bw.period_return(ticker, $1, $2, basis) "
            "FROM bw.period_returns($1, $2) WHERE list_contains($3, ticker)",
            [start, end, tickers],
        ).fetchall()
        assert len(table) == 2 * len(tickers)
        for ticker, basis, from_table, from_scalar in table:
            expected = ref.period_return(ticker, start, end, basis)
            assert from_scalar == from_table, (ticker, basis, start, end)
            if expected is None:
                assert from_table is None, (ticker, basis, start, end)
            else:
                assert from_table == pytest.approx(expected, rel=1e-12)
                checked += 1
    assert checked > 300


def test_period_return_of_one_session_is_the_daily_return(con, ref):
    rows = con.execute(
        "SELECT session_date, bw.period_return('QQQ', session_date, session_date, 'close') "
        "FROM raw.daily_bars WHERE ticker = 'QQQ' ORDER BY session_date"
    ).fetchall()
    assert rows[0][1] is None  # nothing stored before the first session
    for d, got in rows[1:]:
        assert got == pytest.approx(ref.ret("QQQ", d), rel=1e-12)


def test_period_return_is_null_when_a_needed_bar_is_missing(con):
    cases = [
        ("XLK", "2026-01-01", "2026-06-29", "close"),  # no XLK bar on the end session
        ("HBAN", "2026-02-02", "2026-02-27", "open"),  # HBAN stops 2026-02-26
        ("AAPL", "2025-01-01", "2025-12-31", "close"),  # no AAPL bar before 2025-06-02
        ("AAPL", "2025-05-30", "2025-12-31", "open"),  # no AAPL bar on the first session
        ("SPY", "2024-01-01", "2024-12-31", "close"),  # nothing stored before 2024-01-02
        ("SPY", "2025-12-06", "2025-12-07", "close"),  # a weekend: no session in the period
        ("SPY", "2025-12-05", "2025-12-01", "close"),  # end before start
        ("NOPE", "2025-01-01", "2025-12-31", "close"),
        (HOSTILE, "2025-01-01", "2025-12-31", "close"),
    ]
    for case in cases:
        assert scalar(con, "SELECT bw.period_return($1, $2, $3, $4)", *case) is None, case
    assert scalar(con, "SELECT count(*) FROM raw.daily_bars") > 90_000


@pytest.mark.parametrize("basis", ["Close", "adj_close", "", "open ", None])
def test_period_return_with_an_unknown_basis_is_an_error(con, basis):
    with pytest.raises(duckdb.Error, match="basis must be 'close' or 'open'"):
        scalar(con, "SELECT bw.period_return('SPY', '2025-01-01', '2025-12-31', $1)", basis)


def test_period_return_from_month_and_year_start_equals_marts_ret_mtd_and_ret_ytd(con):
    rows = con.execute(
        "SELECT ret_mtd, bw.period_return(ticker, date_trunc('month', session_date), "
        "session_date, 'close'), ret_ytd, bw.period_return(ticker, "
        "date_trunc('year', session_date), session_date, 'close') FROM marts.daily_returns "
        "WHERE ticker IN ('SPY', '^RUT') AND session_date >= DATE '2025-01-02'"
    ).fetchall()
    assert len(rows) > 700
    for mtd, mtd_macro, ytd, ytd_macro in rows:
        assert mtd is not None and mtd == pytest.approx(mtd_macro, rel=1e-12)
        assert ytd is not None and ytd == pytest.approx(ytd_macro, rel=1e-12)


# -- streaks and longest-since ---------------------------------------------------------


def test_marts_streaks_match_a_recount_from_raw_closes(con, ref):
    stored = con.execute(
        "SELECT ticker, session_date, up_streak, down_streak FROM marts.streaks "
        "WHERE list_contains($1, ticker)",
        [MARKET],
    ).fetchall()
    assert len(stored) == sum(len(ref.dates[t]) for t in MARKET)
    for ticker, d, up, down in stored:
        assert (up, down) == ref.streaks(ticker)[d], (ticker, d)


def test_streak_runs_and_longest_streak_since_match_a_scan_of_the_history(con, ref):
    for d in sample_sessions():
        rows = con.sql(
            "FROM bw.streak_runs($1) WHERE list_contains($2, ticker)", params=[d, MARKET]
        ).pl()
        expected_tickers = {t for t in MARKET if (t, d) in ref.bar}
        assert set(rows["ticker"]) == expected_tickers
        for row in rows.iter_rows(named=True):
            runs = {
                s: v[0 if row["kind"] == "up" else 1]
                for s, v in ref.streaks(row["ticker"]).items()
                if s <= d
            }
            since, since_len = ref.longest_since(runs, d)
            longer, longer_len = ref.longest_since(runs, d, strictly=True)
            assert row["run_length"] == runs[d]
            assert row["run_start"] == ref.run_start(runs, d)
            assert (row["longest_since"], row["longest_since_length"]) == (since, since_len)
            assert (row["last_longer_session"], row["last_longer_length"]) == (longer, longer_len)


def test_scalar_streak_macros_agree_with_the_table_macro(con, ref):
    # ^GSPC closed up 2025-12-02..05 (4 sessions); the last run that long ended 2025-11-28 (5)
    d = date(2025, 12, 5)
    got = con.execute(
        "SELECT bw.streak_length('^GSPC', $1, 'up'), bw.longest_streak_since('^GSPC', $1, 'up'),"
        " bw.streak_length('^GSPC', $1, 'down'), bw.longest_streak_since('^GSPC', $1, 'down')",
        [d],
    ).fetchall()[0]
    runs = {s: v[0] for s, v in ref.streaks("^GSPC").items()}
    assert got == (runs[d], ref.longest_since(runs, d)[0], 0, None)
    assert got[:2] == (4, date(2025, 11, 28))
    for ticker in MARKET:
        for kind in ("up", "down"):
            scalar_pair = con.execute(
                "SELECT bw.streak_length($1, $2, $3), bw.longest_streak_since($1, $2, $3)",
                [ticker, d, kind],
            ).fetchall()[0]
            table_pair = con.execute(
                "SELECT run_length, longest_since FROM bw.streak_runs($2) "
                "WHERE ticker = $1 AND kind = $3",
                [ticker, d, kind],
            ).fetchall()
            assert [scalar_pair] == table_pair


def test_a_streak_never_matched_before_is_the_longest_in_the_stored_history(con, ref):
    # find, by scanning, a session whose up streak is the longest so far for ^GSPC
    runs = {s: v[0] for s, v in ref.streaks("^GSPC").items()}
    record_days = [d for d in runs if runs[d] > 0 and ref.longest_since(runs, d)[0] is None]
    assert record_days
    for d in record_days:
        assert scalar(con, "SELECT bw.longest_streak_since('^GSPC', $1, 'up')", d) is None


def test_relative_runs_match_a_recount_from_raw_closes(con, ref):
    pairs = [("^RUT", "^GSPC"), ("IWM", "SPY"), ("XLK", "SPY")]
    for ticker, benchmark in pairs:
        recount = ref.relative_runs(ticker, benchmark)
        stored = con.execute(
            "SELECT session_date, outperf_streak, underperf_streak "
            "FROM marts.relative_performance WHERE ticker = $1 AND benchmark = $2",
            [ticker, benchmark],
        ).fetchall()
        assert {d: (o, u) for d, o, u in stored} == recount
    for d in sample_sessions():
        rows = con.sql(
            "FROM bw.relative_runs($1) WHERE list_contains($2, ticker || '/' || benchmark)",
            params=[d, [f"{t}/{b}" for t, b in pairs]],
        ).pl()
        for row in rows.iter_rows(named=True):
            k = 0 if row["kind"] == "outperf" else 1
            all_runs = ref.relative_runs(row["ticker"], row["benchmark"])
            runs = {s: v[k] for s, v in all_runs.items() if s <= d}
            assert row["run_length"] == runs[d]
            assert row["run_start"] == ref.run_start(runs, d)
            assert (row["longest_since"], row["longest_since_length"]) == ref.longest_since(runs, d)
            assert (row["last_longer_session"], row["last_longer_length"]) == (
                ref.longest_since(runs, d, strictly=True)
            )
        expected = {(t, b) for t, b in pairs if (t, d) in ref.bar}
        assert set(zip(rows["ticker"], rows["benchmark"], strict=True)) == expected


def test_scalar_relative_macros_agree_with_the_table_macro(con):
    for d in [date(2024, 1, 3), date(2025, 4, 17), date(2025, 12, 5), date(2026, 6, 29)]:
        for kind in ("outperf", "underperf"):
            got = con.execute(
                "SELECT bw.relative_run_length('IWM', 'SPY', $1, $2), "
                "bw.longest_relative_run_since('IWM', 'SPY', $1, $2)",
                [d, kind],
            ).fetchall()
            table = con.execute(
                "SELECT run_length, longest_since FROM bw.relative_runs($1) "
                "WHERE ticker = 'IWM' AND benchmark = 'SPY' AND kind = $2",
                [d, kind],
            ).fetchall()
            assert got == table


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT bw.streak_length('SPY', DATE '2025-12-05', 'outperf')",
        "SELECT bw.longest_streak_since('SPY', DATE '2025-12-05', 'UP')",
        "SELECT bw.longest_streak_since('SPY', DATE '2025-12-05', NULL)",
        "SELECT bw.relative_run_length('IWM', 'SPY', DATE '2025-12-05', 'up')",
        "SELECT bw.longest_relative_run_since('IWM', 'SPY', DATE '2025-12-05', 'outperformance')",
    ],
)
def test_an_unknown_run_kind_is_an_error(con, sql):
    with pytest.raises(duckdb.Error, match="kind must be"):
        con.execute(sql).fetchall()


def test_no_row_on_the_date_gives_null_not_a_guess(con):
    cases = [
        "SELECT bw.longest_streak_since('XLK', DATE '2026-06-29', 'up')",  # no XLK bar
        "SELECT bw.streak_length('SPY', DATE '2025-12-06', 'up')",  # a Saturday
        "SELECT bw.longest_relative_run_since('XLK', 'SPY', DATE '2026-03-02', 'outperf')",
        "SELECT bw.relative_run_length('SPY', 'IWM', DATE '2025-12-05', 'outperf')",  # no pair
    ]
    for sql in cases:
        assert scalar(con, sql) is None, sql
    hostile = [
        ("SELECT bw.streak_length($1, DATE '2025-12-05', 'up')", HOSTILE),
        ("SELECT bw.longest_relative_run_since($1, 'SPY', DATE '2025-12-05', 'outperf')", HOSTILE),
        ("SELECT bw.close_on($1, DATE '2025-12-05')", HOSTILE),
    ]
    for sql, value in hostile:
        assert scalar(con, sql, value) is None
    with pytest.raises(duckdb.ConversionException):  # a date that is not a date is refused
        scalar(con, "SELECT count(*) FROM bw.streak_runs($1)", HOSTILE)
