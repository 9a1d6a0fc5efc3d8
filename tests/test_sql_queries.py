"""The named analyst queries (sql/queries, run through bellwether.queries) on the fully built
bundled warehouse.

Each query is run on a sample of bundled sessions (the first ones, both sides of every
holiday and half day, year boundaries, the data-coverage edges, 2025-12-05 and the last
session; see :func:`tests.test_sql_macros.sample_sessions`), and breadth on every session
around its coverage. Key figures are checked against an independent recomputation from
raw.daily_bars (:class:`tests.test_sql_macros.Reference`).
"""

from __future__ import annotations

import bisect
import itertools
import math
import shutil
import statistics
from collections.abc import Iterator
from datetime import date, datetime

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bellwether.calendar import sessions_between
from bellwether.queries import (
    NamedQuery,
    QueryError,
    QueryField,
    UnknownNameError,
    bind_params,
    get_query,
    list_queries,
    run_query,
)
from bellwether.settings import SQL_DIR
from bellwether.warehouse import Warehouse
from tests.conftest import BUNDLED_FIRST, BUNDLED_LAST
from tests.test_sql_macros import HOSTILE, MARKET, SECTOR_ETFS, Reference, sample_sessions

#: The contract: query names and their parameters.
EXPECTED_QUERIES = {
    "breadth_on_date": ("as_of", "universe"),
    "daily_moves": ("as_of", "universe"),
    "distance_from_52w_high": ("as_of", "universe"),
    "moves_over_period": ("start_date", "end_date", "universe"),
    "record_closes_ytd": ("as_of", "universe"),
    "relative_runs_on_date": ("as_of",),
    "sector_leaders_laggards": ("as_of",),
    "small_vs_large_outperformance_run": ("as_of",),
    "streaks_on_date": ("as_of", "universe"),
    "technicals_snapshot": ("as_of", "universe"),
    "volume_vs_3m_average": ("as_of", "universe"),
}
#: Queries asked "on a date" for the members of a universe.
PER_MEMBER = [
    "daily_moves", "distance_from_52w_high", "record_closes_ytd", "streaks_on_date",
    "technicals_snapshot", "volume_vs_3m_average",
]  # fmt: skip
SESSIONS = sample_sessions()
BREADTH_FIRST, BREADTH_LAST = date(2025, 6, 2), date(2026, 1, 30)
REL = 1e-9
#: Parameter types bellwether.queries checks before binding.
BINDABLE = ("DATE", "VARCHAR", "INTEGER", "BIGINT", "DOUBLE", "BOOLEAN")


@pytest.fixture(scope="module")
def con(built_warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    with built_warehouse.connect(read_only=True) as c:
        yield c


@pytest.fixture(scope="module")
def ref(con) -> Reference:
    bars = con.sql("SELECT * FROM raw.daily_bars").pl()
    decimals = dict(con.execute("SELECT ticker, price_decimals FROM raw.instruments").fetchall())
    return Reference(bars, decimals)


@pytest.fixture(scope="module")
def answers(con) -> dict[tuple[str, date], pl.DataFrame]:
    """Every "on a date" query on every sampled session (the market universe)."""
    out = {}
    for d in SESSIONS:
        for name in PER_MEMBER:
            out[(name, d)] = run_query(con, name, as_of=d, universe="market")
        for name in ("sector_leaders_laggards", "small_vs_large_outperformance_run"):
            out[(name, d)] = run_query(con, name, as_of=d)
        out[("relative_runs_on_date", d)] = run_query(con, "relative_runs_on_date", as_of=d)
    return out


def close(a: float | None, b: float | None, rel: float = REL) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == pytest.approx(b, rel=rel, abs=1e-12)


def rows(df: pl.DataFrame) -> list[dict]:
    return df.to_dicts()


# -- the catalogue ---------------------------------------------------------------------


def test_the_named_queries_are_the_files_in_sql_queries_with_documented_headers():
    queries = list_queries()
    assert [q.name for q in queries] == sorted(p.stem for p in (SQL_DIR / "queries").glob("*.sql"))
    listed = {q.name: q.param_names for q in queries}
    assert {name: listed.get(name) for name in EXPECTED_QUERIES} == EXPECTED_QUERIES
    for q in queries:  # every file, including queries that other modules add
        assert q.question.endswith("?"), q.name
        assert q.used_params() == set(q.param_names), q.name  # header == SQL body
        assert q.columns and all(c.type and c.description for c in q.columns), q.name
        assert all(p.type in BINDABLE and p.description for p in q.params), q.name
        assert len(set(q.column_names)) == len(q.column_names), q.name


def test_every_query_returns_exactly_its_documented_columns(con):
    args = {"as_of": date(2025, 12, 5), "start_date": date(2025, 1, 1)}
    args |= {"end_date": date(2025, 12, 5), "universe": "market", "sessions": 5}
    args |= {"ticker": "^RUT", "benchmark": "^GSPC"}
    for q in list_queries():  # including queries that other modules add
        if not set(q.param_names) <= args.keys():
            continue  # parameters this test does not know how to fill
        params = {k: args[k] for k in q.param_names}
        if "breadth" in q.name:
            params["universe"] = "sp500_sample"
        df = run_query(con, q.name, **params)
        assert tuple(df.columns) == q.column_names, q.name
        assert_frame_equal(df, run_query(con, q.name, **params), check_exact=True)  # stable order
        if q.name not in EXPECTED_QUERIES:
            continue
        assert df.height > 0, q.name
        if "as_of" in params:  # an empty answer keeps the same columns
            empty = run_query(con, q.name, **(params | {"as_of": date(2026, 11, 20)}))
            assert empty.height == 0 and tuple(empty.columns) == q.column_names, q.name


# -- coverage: every query answers on every session it applies to -----------------------


def test_every_query_answers_for_every_sampled_session(answers, ref):
    for d in SESSIONS:
        market = [t for t in MARKET if (t, d) in ref.bar]
        for name in PER_MEMBER:
            df = answers[(name, d)]
            per_ticker = 2 if name == "streaks_on_date" else 1
            assert df["ticker"].to_list() == [t for t in market for _ in range(per_ticker)], (
                name,
                d,
            )
            assert set(df["session_date"]) == {d}, (name, d)
        sectors = answers[("sector_leaders_laggards", d)]
        assert set(sectors["ticker"]) == {t for t in SECTOR_ETFS if (t, d) in ref.bar}, d
        assert answers[("small_vs_large_outperformance_run", d)].height == 4, d
        pairs = answers[("relative_runs_on_date", d)]
        assert pairs.height == (2 * 15 if d <= date(2026, 2, 5) else 2 * 4), d


def test_sector_and_bank_data_ends_where_the_bundle_says(answers):
    assert answers[("sector_leaders_laggards", date(2026, 2, 5))].height == 11
    assert answers[("sector_leaders_laggards", date(2026, 2, 6))].height == 0
    tickers = answers[("daily_moves", date(2026, 2, 27))]["ticker"].to_list()
    assert "HBAN" not in tickers and "^GSPC" in tickers
    assert "HBAN" in answers[("daily_moves", date(2026, 2, 26))]["ticker"].to_list()


def test_as_of_a_non_session_answers_for_the_session_before(con):
    for asked, session in [
        (date(2025, 11, 27), date(2025, 11, 26)),  # Thanksgiving
        (date(2025, 12, 6), date(2025, 12, 5)),  # a Saturday
        ("2026-01-01", date(2025, 12, 31)),  # New Year's Day, as an ISO string
    ]:
        for name in ("daily_moves", "streaks_on_date", "record_closes_ytd"):
            df = run_query(con, name, as_of=asked, universe="indices")
            assert set(df["session_date"]) == {session}, (name, asked)
        df = run_query(con, "small_vs_large_outperformance_run", as_of=asked)
        assert set(df["session_date"]) == {session}


def test_queries_run_from_threads_warn_nothing_and_leave_the_warning_filters_alone(con):
    """run_query neither triggers DuckDB's warning about copying a DB-API result into
    Arrow nor silences it by changing the process's warning filters (which raced with
    other threads), so a notebook running queries from threads sees no warning and keeps
    its own filters."""
    import threading
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        filters = list(warnings.filters)
        errors: list[BaseException] = []

        def ask(cursor: duckdb.DuckDBPyConnection) -> None:
            try:
                for _ in range(20):
                    run_query(cursor, "daily_moves", as_of=BUNDLED_LAST, universe="indices")
                    assert warnings.filters == filters
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=ask, args=(con.cursor(),)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert [str(w.message) for w in caught] == []
        assert warnings.filters == filters


def test_breadth_answers_on_every_session_of_the_constituents_sample_and_only_there(con, ref):
    members = [
        t
        for (t,) in con.execute(
            "SELECT ticker FROM raw.universe_members WHERE universe = 'sp500_sample'"
        ).fetchall()
    ]
    ad_line = 0
    for d in sessions_between(date(2025, 5, 27), date(2026, 2, 10)):
        df = run_query(con, "breadth_on_date", as_of=d, universe="sp500_sample")
        if not BREADTH_FIRST <= d <= BREADTH_LAST:
            assert df.height == 0, d
            continue
        assert df.height == 1, d
        got = df.row(0, named=True)
        moves = [ref.direction(t, d) for t in members if (t, d) in ref.bar]
        compared = [m for m in moves if m is not None]
        advancers, decliners = compared.count(1), compared.count(-1)
        ad_line += advancers - decliners
        expected = {
            "session_date": d,
            "universe": "sp500_sample",
            "members": len(moves),
            "universe_size": len(members),
            "members_compared": len(compared),
            "advancers": advancers,
            "decliners": decliners,
            "unchanged": compared.count(0),
            "net_advances": advancers - decliners,
            "ad_line": ad_line,
        }
        assert {k: got[k] for k in expected} == expected
        assert got["members_with_52w"] <= 2  # only HBAN and RF have a year of history


# -- key figures against an independent recomputation ---------------------------------


def test_record_closes_ytd_match_a_recount_from_raw_closes(answers, ref):
    all_records: dict[str, list[date]] = {}
    for t in MARKET:  # a record close: above every earlier stored close
        best, all_records[t] = None, []
        for s in ref.dates[t]:
            if best is not None and ref.close(t, s) > best:
                all_records[t].append(s)
            best = ref.close(t, s) if best is None else max(best, ref.close(t, s))
    checked = 0
    for d in SESSIONS:
        for got in rows(answers[("record_closes_ytd", d)]):
            t = got["ticker"]
            records = [s for s in all_records[t] if s <= d]
            assert got["is_record_close"] == (d in records), (t, d)
            assert got["record_closes_ytd"] == sum(s.year == d.year for s in records), (t, d)
            assert got["last_record_session"] == (records[-1] if records else None), (t, d)
            assert got["record_close"] == max(ref.close(t, s) for s in ref.dates[t] if s <= d)
            assert got["history_start"] == ref.dates[t][0]
            assert close(got["pct_from_record"], ref.close(t, d) / got["record_close"] - 1)
            checked += got["record_closes_ytd"]
    assert checked > 100
    # ^GSPC set 36 record closes in 2025 up to 2025-12-05 (stored-history records)
    gspc = answers[("record_closes_ytd", date(2025, 12, 5))].filter(pl.col("ticker") == "^GSPC")
    assert gspc["record_closes_ytd"].to_list() == [36]


def test_daily_moves_match_raw_closes(answers, ref):
    for d in SESSIONS:
        for got in rows(answers[("daily_moves", d)]):
            t = got["ticker"]
            prev = ref.close(t, ref.before(d))
            assert got["close"] == ref.close(t, d)
            assert got["prev_session"] == ref.before(d)
            assert got["prev_close"] == prev
            assert close(got["change"], None if prev is None else ref.close(t, d) - prev)
            assert close(got["ret_1d"], ref.ret(t, d)), (t, d)
            assert close(got["ret_5d"], ref.ret(t, d, 5)), (t, d)
            month, year = d.replace(day=1), d.replace(month=1, day=1)
            assert close(got["ret_mtd"], ref.period_return(t, month, d, "close")), (t, d)
            assert close(got["ret_ytd"], ref.period_return(t, year, d, "close")), (t, d)


def test_daily_moves_agree_with_marts_daily_returns(con):
    disagree = con.execute(
        "SELECT count(*) FROM marts.daily_returns AS d, "
        "LATERAL (SELECT bw.period_return(d.ticker, date_trunc('year', d.session_date), "
        "d.session_date, 'close') AS ytd) "
        "WHERE d.ticker IN ('^GSPC', 'IWM') AND d.ret_ytd IS DISTINCT FROM ytd "
        "AND NOT abs(d.ret_ytd - ytd) < 1e-12"
    ).fetchall()[0][0]
    assert disagree == 0


def test_distance_from_52w_high_matches_the_252_session_window(answers, ref):
    checked = 0
    for d in SESSIONS:
        for got in rows(answers[("distance_from_52w_high", d)]):
            t = got["ticker"]
            highs, lows = ref.window(t, d, 252, "high"), ref.window(t, d, 252, "low")
            if highs is None:
                assert got["high_52w"] is None and got["pct_from_high_52w"] is None, (t, d)
                continue
            window = sessions_between(ref.back(d, 251), d)
            high_at = max(s for s, h in zip(window, highs, strict=True) if h == max(highs))
            assert (got["high_52w"], got["low_52w"]) == (max(highs), min(lows)), (t, d)
            assert got["high_52w_session"] == high_at, (t, d)
            assert close(got["pct_from_high_52w"], ref.close(t, d) / max(highs) - 1)
            assert close(got["pct_above_low_52w"], ref.close(t, d) / min(lows) - 1)
            assert got["is_new_high_52w"] == (ref.bar[(t, d)]["high"] >= max(highs))
            checked += 1
    assert checked > 500
    first_full = [
        g for g in rows(answers[("distance_from_52w_high", date(2024, 12, 31))]) if g["high_52w"]
    ]
    assert {g["ticker"] for g in first_full} >= {"^GSPC", "SPY", "XLK"}


def test_volume_vs_3m_average_matches_raw_volumes(answers, ref):
    checked = 0
    for d in SESSIONS:
        for got in rows(answers[("volume_vs_3m_average", d)]):
            t = got["ticker"]
            prev = ref.before(d)
            vols63, vols20 = ref.window(t, prev, 63, "volume"), ref.window(t, prev, 20, "volume")
            assert got["volume"] == ref.bar[(t, d)]["volume"]
            assert close(got["avg_volume_63"], vols63 and statistics.fmean(vols63)), (t, d)
            assert close(got["avg_volume_20"], vols20 and statistics.fmean(vols20)), (t, d)
            assert got["bars_before"] == bisect.bisect_left(ref.dates[t], d), (t, d)
            if vols63 and got["volume"] is not None:
                rel = got["volume"] / statistics.fmean(vols63)
                assert close(got["rel_volume"], rel) and close(got["pct_vs_avg_63"], rel - 1)
                checked += 1
            else:
                assert got["rel_volume"] is None
    assert checked > 500
    rut = answers[("volume_vs_3m_average", date(2025, 12, 5))].filter(pl.col("ticker") == "^RUT")
    assert rut["volume"].to_list() == [None]  # the bundle has no ^RUT volume


def test_technicals_snapshot_matches_raw_closes(answers, ref):
    for d in SESSIONS:
        for got in rows(answers[("technicals_snapshot", d)]):
            t, c = got["ticker"], ref.close(got["ticker"], d)
            for n in (20, 50, 200):
                closes = ref.window(t, d, n, "close")
                sma = closes and statistics.fmean(closes)
                assert close(got[f"sma_{n}"], sma), (t, d, n)
                assert got[f"above_sma_{n}"] == (None if sma is None else c > got[f"sma_{n}"])
                assert close(got[f"pct_vs_sma_{n}"], sma and c / sma - 1)
            closes = ref.window(t, d, 21, "close")
            if closes is None:
                assert got["volatility_20d"] is None
            else:
                logs = [math.log(b / a) for a, b in itertools.pairwise(closes)]
                vol = statistics.stdev(logs) * math.sqrt(252)
                assert close(got["volatility_20d"], vol, rel=1e-6), (t, d)
            assert got["rsi_14"] is None or 0 <= got["rsi_14"] <= 100
            # the bars stored up to the session, counted in the raw bars
            assert got["bars_stored"] == bisect.bisect_right(ref.dates[t], d), (t, d)


def test_streaks_on_date_match_a_recount_and_a_scan_of_the_history(answers, ref):
    for d in SESSIONS:
        for got in rows(answers[("streaks_on_date", d)]):
            t = got["ticker"]
            k = 0 if got["kind"] == "up" else 1
            runs = {s: v[k] for s, v in ref.streaks(t).items() if s <= d}
            assert got["direction"] == ref.direction(t, d)
            assert got["run_length"] == runs[d], (t, d)
            assert got["run_start"] == ref.run_start(runs, d)
            since = ref.longest_since(runs, d)
            longer = ref.longest_since(runs, d, strictly=True)
            assert (got["longest_since"], got["longest_since_length"]) == since, (t, d)
            assert (got["last_longer_session"], got["last_longer_length"]) == longer, (t, d)
            assert got["history_start"] == ref.dates[t][0]


@pytest.mark.parametrize("name", ["small_vs_large_outperformance_run", "relative_runs_on_date"])
def test_relative_runs_match_a_recount_from_raw_closes(answers, ref, name):
    recounts = {}
    for d in SESSIONS:
        for got in rows(answers[(name, d)]):
            pair = (got["ticker"], got["benchmark"])
            if pair not in recounts:
                recounts[pair] = ref.relative_runs(*pair)
            k = 0 if got["kind"] == "outperf" else 1
            runs = {s: v[k] for s, v in recounts[pair].items() if s <= d}
            assert got["run_length"] == runs[d], (pair, d)
            assert got["run_start"] == ref.run_start(runs, d)
            assert (got["longest_since"], got["longest_since_length"]) == ref.longest_since(
                runs, d
            ), (pair, d)
            assert (got["last_longer_session"], got["last_longer_length"]) == (
                ref.longest_since(runs, d, strictly=True)
            )
            mine, theirs = ref.ret(pair[0], d), ref.ret(pair[1], d)
            assert close(got["ret_1d"], mine) and close(got["benchmark_ret_1d"], theirs)
            assert close(got["excess_ret_1d"], None if mine is None else mine - theirs)
            assert got["history_start"] == ref.dates[pair[0]][0]
    if name == "small_vs_large_outperformance_run":
        assert set(recounts) == {("^RUT", "^GSPC"), ("IWM", "SPY")}


def test_small_vs_large_on_2025_12_05(answers):
    df = answers[("small_vs_large_outperformance_run", date(2025, 12, 5))]
    assert df.select("ticker", "benchmark", "kind", "run_length").rows() == [
        ("^RUT", "^GSPC", "outperf", 0),
        ("^RUT", "^GSPC", "underperf", 1),
        ("IWM", "SPY", "outperf", 0),
        ("IWM", "SPY", "underperf", 1),
    ]


def test_sector_leaders_and_laggards_match_raw_closes(answers, ref):
    for d in SESSIONS:
        df = answers[("sector_leaders_laggards", d)]
        returns = {t: ref.ret(t, d) for t in SECTOR_ETFS if (t, d) in ref.bar}
        ranked = [r for r in returns.values() if r is not None]
        for got in rows(df):
            r = returns[got["ticker"]]
            assert close(got["ret_1d"], r), (got["ticker"], d)
            rank = None if r is None else 1 + sum(x > r for x in ranked)
            assert got["rank_1d"] == rank, (got["ticker"], d)
            assert got["sector_count"] == len(ranked)
            role = None
            if rank == 1:
                role = "leader"
            elif rank is not None and rank == max(1 + sum(x > y for x in ranked) for y in ranked):
                role = "laggard"
            assert got["role"] == role, (got["ticker"], d)
            spy = ref.ret("SPY", d)
            assert close(got["spy_ret_1d"], spy)
            assert close(got["excess_ret_1d"], None if r is None or spy is None else r - spy)
            year = d.replace(month=1, day=1)
            ytd = ref.period_return(got["ticker"], year, d, "close")
            assert close(got["ret_ytd"], ytd), (got["ticker"], d)
        ranks = [x for x in df["rank_1d"].to_list() if x is not None]
        assert ranks == sorted(ranks)
    split_day = answers[("sector_leaders_laggards", date(2025, 12, 5))]
    assert split_day.filter(pl.col("role") == "leader")["ticker"].to_list() == ["XLC"]
    assert split_day.filter(pl.col("role") == "laggard")["ticker"].to_list() == ["XLU"]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2025, 1, 1), date(2025, 12, 31)),
        (date(2025, 11, 27), date(2025, 12, 5)),  # starts on a holiday
        (date(2025, 12, 5), date(2025, 12, 5)),  # one session
        (date(2024, 1, 2), date(2024, 3, 28)),  # nothing stored before the start
        (date(2026, 2, 1), BUNDLED_LAST),  # sector ETFs and banks stop inside
        (date(2025, 12, 6), date(2025, 12, 7)),  # a weekend: no session
    ],
)
def test_moves_over_period_match_period_returns_by_hand(con, ref, start, end):
    df = run_query(con, "moves_over_period", start_date=start, end_date=end, universe="market")
    assert df.select("ticker", "basis").rows() == [
        (t, b) for t in MARKET for b in ("close", "open")
    ]
    for got in rows(df):
        t, basis = got["ticker"], got["basis"]
        assert close(got["period_return"], ref.period_return(t, start, end, basis)), (t, basis)
        assert got["to_session"] == ref.on_or_before(end)
        assert got["to_price"] == ref.close(t, ref.on_or_before(end))
        if basis == "close":
            assert got["from_session"] == ref.last_bar_before(t, start)
        else:
            assert got["from_session"] == ref.on_or_after(start)
        if got["period_return"] is not None:
            assert close(got["change"], got["to_price"] - got["from_price"])


def test_index_moves_in_2025_by_hand(con, ref):
    df = run_query(
        con, "moves_over_period", start_date="2025-01-01", end_date="2025-12-31", universe="indices"
    )
    spx = df.filter(pl.col("ticker") == "^GSPC").sort("basis").rows(named=True)
    dec31, jan2 = date(2025, 12, 31), date(2025, 1, 2)
    assert spx[0]["period_return"] == pytest.approx(
        ref.close("^GSPC", dec31) / ref.close("^GSPC", date(2024, 12, 31)) - 1, rel=1e-12
    )
    assert spx[1]["period_return"] == pytest.approx(
        ref.close("^GSPC", dec31) / ref.bar[("^GSPC", jan2)]["open"] - 1, rel=1e-12
    )


# -- refusals and hostile values --------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "nope",
        "",
        "RECORD_CLOSES_YTD",
        "record_closes_ytd.sql",
        "../marts/read_bars",
        "marts/read_bars",
        "/etc/passwd",
        "record_closes_ytd; DROP TABLE raw.daily_bars",
    ],
)
def test_unknown_query_names_are_refused(con, name):
    with pytest.raises(QueryError, match="unknown query"):
        run_query(con, name, as_of="2025-12-05")
    with pytest.raises(QueryError, match="unknown query"):
        get_query(name)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"as_of": "2025-12-05"}, "missing universe"),
        ({}, "missing as_of, universe"),
        ({"as_of": "2025-12-05", "universe": "indices", "limit": 5}, "unexpected limit"),
        ({"as_of": "2025-12-05", "universe": "indices", "ticker": "SPY"}, "unexpected ticker"),
        ({"as_of": "2025-12-32", "universe": "indices"}, "ISO date"),
        ({"as_of": 20251205, "universe": "indices"}, "date"),
        ({"as_of": datetime(2025, 12, 5, 16), "universe": "indices"}, "not a datetime"),
        ({"as_of": "2025-12-05", "universe": None}, "must not be None"),
        ({"as_of": "2025-12-05", "universe": ["indices"]}, "must be a string"),
    ],
)
def test_missing_extra_and_mistyped_parameters_are_refused(con, params, message):
    with pytest.raises(QueryError, match=message):
        run_query(con, "technicals_snapshot", **params)


def test_an_unknown_universe_or_ticker_is_said_not_answered_with_nothing(con):
    """A typo in a universe, or a ticker written as a reader would (``rut`` for ``^RUT``),
    answered an empty result: the query says which name it does not know, and the one it
    differs from only by case or ``^``."""
    with pytest.raises(
        UnknownNameError, match=r"unknown universe 'sp500'; the universes are .*sp500_sample"
    ):
        run_query(con, "breadth_on_date", as_of="2025-12-05", universe="sp500")
    with pytest.raises(UnknownNameError, match=r"unknown ticker 'rut'; did you mean '\^RUT'"):
        run_query(con, "relative_strength_line", as_of="2025-12-05", ticker="rut",
                  benchmark="^GSPC", sessions=5)  # fmt: skip
    with pytest.raises(UnknownNameError, match="unknown benchmark 'SPX'; it is not in"):
        run_query(con, "relative_strength_line", as_of="2025-12-05", ticker="^RUT",
                  benchmark="SPX", sessions=5)  # fmt: skip
    # a known name with nothing to answer is an empty answer, as before
    assert run_query(con, "breadth_on_date", as_of="2025-12-05", universe="indices").is_empty()


def test_a_reversed_period_and_an_empty_window_are_refused(con):
    """``start_date`` after ``end_date`` answered rows with a NULL return and a negative
    ``sessions`` a raw DuckDB error: both are refused before the query runs."""
    with pytest.raises(QueryError, match="start_date 2026-01-21 is after end_date 2026-01-02"):
        run_query(con, "moves_over_period", start_date="2026-01-21", end_date="2026-01-02",
                  universe="indices")  # fmt: skip
    assert run_query(con, "moves_over_period", start_date="2026-01-02", end_date="2026-01-02",
                     universe="indices").height  # fmt: skip
    for sessions in (0, -5):
        with pytest.raises(QueryError, match="sessions must be at least 1"):
            run_query(con, "breadth_history", as_of="2025-12-05", universe="sp500_sample",
                      sessions=sessions)  # fmt: skip


@pytest.mark.parametrize(
    ("declared", "value", "accepted"),
    [
        ("INTEGER", 5, True),
        ("INTEGER", "5", False),
        ("INTEGER", True, False),
        ("INTEGER", 5.0, False),
        ("DOUBLE", 0.5, True),
        ("DOUBLE", 2, True),
        ("DOUBLE", "0.5", False),
        ("BOOLEAN", False, True),
        ("BOOLEAN", 0, False),
    ],
)
def test_other_declared_parameter_types_are_checked_too(declared, value, accepted):
    query = NamedQuery(
        "q", "Q?", (QueryField("x", declared, "x"),), (), "", "SELECT $x AS x", SQL_DIR
    )
    if accepted:
        assert bind_params(query, {"x": value}) == {"x": value}
    else:
        with pytest.raises(QueryError, match="parameter 'x' must be"):
            bind_params(query, {"x": value})


def test_hostile_parameter_values_are_only_values(built_warehouse, tmp_path):
    """On a writable copy (where a DROP would succeed): hostile strings find nothing."""
    copy = tmp_path / "hostile.duckdb"
    shutil.copy(built_warehouse.path, copy)
    with Warehouse(copy).connect() as con:
        before = con.execute("SELECT count(*) FROM raw.daily_bars").fetchall()[0][0]
        for q in map(get_query, EXPECTED_QUERIES):
            params = {"as_of": "2025-12-05", "start_date": "2025-01-01", "end_date": "2025-12-05"}
            params = {k: params.get(k, HOSTILE) for k in q.param_names}
            if "universe" in params:  # a value, matching nothing: a name it does not know
                with pytest.raises(UnknownNameError, match="unknown"):
                    run_query(con, q.name, **params)
            with pytest.raises(QueryError):  # a hostile date never reaches the database
                run_query(con, q.name, **(params | {p: HOSTILE for p in params}))
            # and bound directly, bypassing bellwether.queries, it is refused as a date
            with pytest.raises(duckdb.ConversionException):
                con.sql(q.sql, params={p: HOSTILE for p in q.param_names}).fetchall()
        assert con.execute("SELECT count(*) FROM raw.daily_bars").fetchall()[0][0] == before
        assert run_query(con, "daily_moves", as_of="2025-12-05", universe="indices").height == 4


def test_the_bundled_span_is_what_the_tests_assume():
    sessions = sessions_between(BUNDLED_FIRST, BUNDLED_LAST)
    assert (sessions[0], sessions[-1], len(sessions)) == (BUNDLED_FIRST, BUNDLED_LAST, 624)
    assert SESSIONS[0] == BUNDLED_FIRST and SESSIONS[-1] == BUNDLED_LAST
    assert {date(2025, 12, 5), date(2024, 7, 3), date(2024, 7, 5)} <= set(SESSIONS)
