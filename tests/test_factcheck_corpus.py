"""The fact-checker on a corpus of recaps written here from the bundled data.

Each recap is built from values read from the warehouse (through the named queries), then
phrased in varied ways: true claims at the precision a recap would print them, and planted
errors of every kind the issue lists (moves off by half, a relative run given as a streak, a
period return right only from the first day's open, a Sunday, another average window, a
wrong sector leader, a name the warehouse does not hold, a forecast). The verdicts must be
exact: no true claim called wrong, every planted error caught, and at least 90% of the
claims extracted (printed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
import pytest

from bellwether.factcheck import factcheck_text
from bellwether.factcheck.model import (
    CONFIRMED,
    NOT_IN_WAREHOUSE,
    OTHER_READING,
    UNCHECKABLE,
    WRONG,
)
from bellwether.factcheck.render import to_table
from bellwether.queries import run_query

TRUE, PLANTED, OUT = "true", "planted", "out of scope"


@dataclass
class Line:
    text: str
    expected: list[tuple[str, str, str]]  # (kind, verdict, TRUE | PLANTED | OUT)


@pytest.fixture(scope="module")
def con(built_warehouse):
    with built_warehouse.connect(read_only=True) as c:
        yield c


def row(con, query: str, ticker: str | None = None, **params) -> dict:
    df = run_query(con, query, **params)
    if ticker is not None:
        df = df.filter(pl.col("ticker") == ticker)
    assert df.height >= 1, (query, ticker, params)
    return df.row(0, named=True)


def pct(x: float, d: int = 2) -> str:
    return f"{abs(x) * 100:.{d}f}%"


def updown(x: float) -> str:
    return "up" if x >= 0 else "down"


def ordinal(n: int) -> str:
    words = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh",
             8: "eighth", 9: "ninth", 10: "tenth"}  # fmt: skip
    if n in words:
        return words[n]
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


# -- recap 1: Thursday 2026-01-22, the date written in the heading ---------------------------


def recap_2026_01_22(con) -> tuple[str, date | None, list[Line]]:
    d = date(2026, 1, 22)
    mv = {
        t: row(con, "daily_moves", t, as_of=d, universe="market")
        for t in ("^GSPC", "^IXIC", "^DJI", "^RUT", "SPY", "QQQ", "IWM")
    }
    st = {t: row(con, "streaks_on_date", t, as_of=d, universe="indices") for t in ("^DJI",)}
    rel = row(con, "small_vs_large_outperformance_run", "^RUT", as_of=d)
    assert rel["kind"] == "outperf"
    rut_up = row(con, "streaks_on_date", "^RUT", as_of=d, universe="indices")["run_length"]
    rec = row(con, "record_closes_ytd", "^RUT", as_of=d, universe="indices")
    per = run_query(
        con, "moves_over_period", start_date=date(2026, 1, 2), end_date=d, universe="indices"
    )
    since = {(r["ticker"], r["basis"]): r["period_return"] for r in per.iter_rows(named=True)}
    tech = {
        r["ticker"]: r
        for r in run_query(con, "technicals_snapshot", as_of=d, universe="market").iter_rows(
            named=True
        )
    }
    vol = {
        r["ticker"]: r
        for r in run_query(con, "volume_vs_3m_average", as_of=d, universe="broad_etfs").iter_rows(
            named=True
        )
    }
    sectors = run_query(con, "sector_leaders_laggards", as_of=d)
    lead = sectors.row(0, named=True)
    last = sectors.row(sectors.height - 1, named=True)
    utilities = sectors.filter(pl.col("ticker") == "XLU").row(0, named=True)
    materials = sectors.filter(pl.col("ticker") == "XLB").row(0, named=True)
    breadth = row(con, "breadth_on_date", as_of=d, universe="sp500_sample")
    dist = row(con, "distance_from_52w_high", "^DJI", as_of=d, universe="indices")
    rut_dist = row(con, "distance_from_52w_high", "^RUT", as_of=d, universe="indices")
    spx_dist = row(con, "distance_from_52w_high", "^GSPC", as_of=d, universe="indices")
    # an average volume that is the 65-session one, not the 63-session one, at 0.1M precision
    windows = run_query(con, "volume_average_windows", as_of=d, ticker="SPY")
    avg65 = windows.filter((pl.col("sessions") == 65) & (pl.col("ending") == "previous"))[
        "avg_volume"
    ][0]
    assert round(avg65 / 1e6, 1) != round(vol["SPY"]["avg_volume_63"] / 1e6, 1)
    assert round(avg65 / 1e6, 1) != round(vol["SPY"]["avg_volume_20"] / 1e6, 1)
    assert rut_up != rel["run_length"] and st["^DJI"]["kind"] == "up"
    assert tech["^RUT"]["rsi_14"] > 70 and tech["^GSPC"]["rsi_14"] < 70
    assert tech["^DJI"]["above_sma_50"] and not tech["^GSPC"]["above_sma_20"]
    assert rut_dist["is_new_high_52w"] and not spx_dist["is_new_high_52w"]
    assert not row(con, "record_closes_ytd", "^GSPC", as_of=d, universe="indices")[
        "is_record_close"
    ]
    assert lead["ticker"] != "XLB"

    lines = [
        Line("# Market wrap: Thursday, January 22, 2026", []),
        Line(
            f"The S&P 500 rose {pct(mv['^GSPC']['ret_1d'])} to {mv['^GSPC']['close']:,.2f}.",
            [("move_pct", CONFIRMED, TRUE), ("level", CONFIRMED, TRUE)],
        ),
        Line(
            f"The Nasdaq Composite added {mv['^IXIC']['change']:.2f} points.",
            [("move_points", CONFIRMED, TRUE)],
        ),
        # planted: the Dow's move off by half
        Line(
            f"The Dow gained {mv['^DJI']['ret_1d'] * 50:.2f}% on the day.",
            [("move_pct", WRONG, PLANTED)],
        ),
        Line(
            f"The Dow rose for a {ordinal(st['^DJI']['run_length'])} straight session.",
            [("streak", CONFIRMED, TRUE)],
        ),
        # planted: a relative run reported as an absolute streak
        Line(
            f"The Russell 2000 extended its winning streak to {rel['run_length']} sessions.",
            [("streak", OTHER_READING, PLANTED)],
        ),
        Line(
            f"Small caps beat large caps for the {rel['run_length']}th straight session.",
            [("relative_run", CONFIRMED, TRUE)],
        ),
        # planted: "since March" when no run as long exists in the stored history
        Line(
            f"Small caps have outperformed the S&P 500 for {rel['run_length']} straight sessions, the longest run since March.",
            [("relative_run", CONFIRMED, TRUE), ("relative_run", WRONG, PLANTED)],
        ),
        Line(
            f"IWM has outperformed SPY in each of the last {rel['run_length']} sessions.",
            [("relative_run", CONFIRMED, TRUE)],
        ),
        # planted: no such run
        Line(
            "Small caps have lagged large caps for 3 straight sessions.",
            [("relative_run", WRONG, PLANTED)],
        ),
        Line(
            f"The Russell 2000 notched its {ordinal(rec['record_closes_ytd'])} record close of the year.",
            [("record_count", CONFIRMED, TRUE)],
        ),
        Line("It also hit a new 52-week high.", [("high_52w", CONFIRMED, TRUE)]),
        # planted: the S&P 500 is not at a record
        Line("The S&P 500 finished at a record close.", [("record", WRONG, PLANTED)]),
        # planted: period returns right only from January 2's open (the issue's example)
        Line(
            f"The Russell 2000 is up {pct(since[('^RUT', 'open')])} since January 2 while the S&P 500 "
            f"gained {pct(since[('^GSPC', 'open')])}.",
            [("period_return", OTHER_READING, PLANTED), ("period_return", OTHER_READING, PLANTED)],
        ),
        Line(
            f"Year to date, the Dow has gained {pct(mv['^DJI']['ret_ytd'])}.",
            [("period_return", CONFIRMED, TRUE)],
        ),
        Line(
            f"The Nasdaq is up {pct(mv['^IXIC']['ret_ytd'] * 2)} year-to-date.",
            [("period_return", WRONG, PLANTED)],
        ),
        Line(
            f"IWM traded {vol['IWM']['volume'] / 1e6:.1f}M shares against a {vol['IWM']['avg_volume_63'] / 1e6:.1f}M average.",
            [("volume", CONFIRMED, TRUE), ("volume", CONFIRMED, TRUE)],
        ),
        # planted: an average over 65 sessions, not 63
        Line(
            f"SPY volume of {vol['SPY']['volume'] / 1e6:.1f}M shares compared with a three-month average of {avg65 / 1e6:.1f}M.",
            [("volume", CONFIRMED, TRUE), ("volume", OTHER_READING, PLANTED)],
        ),
        Line(
            f"QQQ volume ran {pct(vol['QQQ']['pct_vs_avg_63'], 1)} below its average volume.",
            [("volume", CONFIRMED, TRUE)],
        ),
        Line("The Russell 2000's RSI is above 70.", [("rsi", CONFIRMED, TRUE)]),
        Line("The S&P 500 looks overbought.", [("rsi", WRONG, PLANTED)]),
        Line(
            f"The 14-day RSI of the Nasdaq stands at {tech['^IXIC']['rsi_14']:.1f}.",
            [("rsi", CONFIRMED, TRUE)],
        ),
        Line("The Dow closed above its 50-day moving average.", [("sma", CONFIRMED, TRUE)]),
        Line("The S&P 500 sits above its 20-day moving average.", [("sma", WRONG, PLANTED)]),
        Line(
            f"The S&P 500's 200-day moving average stands at {tech['^GSPC']['sma_200']:,.2f}.",
            [("sma", CONFIRMED, TRUE)],
        ),
        # planted: the distance from the 50-day average given as the 20-day one
        Line(
            f"The Russell 2000 is {pct(tech['^RUT']['pct_vs_sma_50'])} above its 20-day moving average.",
            [("sma", OTHER_READING, PLANTED)],
        ),
        Line(
            f"The Nasdaq's 20-day volatility stands at {tech['^IXIC']['volatility_20d'] * 100:.1f}%.",
            [("volatility", CONFIRMED, TRUE)],
        ),
        Line("The Dow's realized volatility is 25.0%.", [("volatility", WRONG, PLANTED)]),
        Line(
            f"The Dow is {pct(-dist['pct_from_high_52w'], 1)} below its 52-week high.",
            [("high_52w", CONFIRMED, TRUE)],
        ),
        Line(
            f"Advancers outnumbered decliners {breadth['advancers']} to {breadth['decliners']}.",
            [("breadth", CONFIRMED, TRUE), ("breadth", CONFIRMED, TRUE)],
        ),
        Line(
            f"{breadth['pct_above_sma_20']:.1f}% of S&P 500 stocks are above their 20-day average.",
            [("breadth", CONFIRMED, TRUE)],
        ),
        Line(
            f"Only {breadth['pct_above_sma_50'] - 10:.0f}% of S&P 500 members closed above their 50-day average.",
            [("breadth", WRONG, PLANTED)],
        ),
        Line(
            f"{lead['sector']} led with +{lead['ret_1d'] * 100:.2f}% while Utilities fell {pct(utilities['ret_1d'] * 2)}.",
            [("sector", CONFIRMED, TRUE), ("sector", CONFIRMED, TRUE), ("sector", WRONG, PLANTED)],
        ),
        Line(f"{last['sector']} was the worst-performing sector.", [("sector", CONFIRMED, TRUE)]),
        Line("Materials was the best-performing sector.", [("sector", WRONG, PLANTED)]),
        Line(f"Basic Materials added {pct(materials['ret_1d'])}.", [("sector", CONFIRMED, TRUE)]),
        # names the warehouse does not hold
        Line("The VIX fell 5.1%.", [("move_pct", NOT_IN_WAREHOUSE, OUT)]),
        Line("Semiconductors jumped 1.8%.", [("move_pct", NOT_IN_WAREHOUSE, OUT)]),
        Line("ARKK rose 3.2%.", [("move_pct", NOT_IN_WAREHOUSE, OUT)]),
        Line(
            "According to Morningstar, Basic Materials rose 1.29%.",
            [("sector", NOT_IN_WAREHOUSE, OUT)],
        ),
        Line(
            "Strategists expect the S&P 500 to end the year at 7,500.",
            [("forecast", UNCHECKABLE, OUT)],
        ),
    ]
    return "\n".join(x.text for x in lines), None, lines


# -- recap 2: Tuesday 2026-01-27, no year in the text (--date given), Markdown bullets -------


def recap_2026_01_27(con) -> tuple[str, date | None, list[Line]]:
    d = date(2026, 1, 27)
    fri = date(2026, 1, 23)
    mv = {
        t: row(con, "daily_moves", t, as_of=d, universe="indices")
        for t in ("^GSPC", "^IXIC", "^DJI", "^RUT")
    }
    rut_fri = row(con, "daily_moves", "^RUT", as_of=fri, universe="indices")
    spx_tue = row(con, "daily_moves", "^GSPC", as_of=date(2026, 1, 20), universe="indices")
    spx_streak = row(con, "streaks_on_date", "^GSPC", as_of=d, universe="indices")
    ixic_streak = row(con, "streaks_on_date", "^IXIC", as_of=d, universe="indices")
    assert spx_streak["longest_since"] == date(2025, 12, 24) and spx_streak[
        "last_longer_session"
    ] == date(2025, 10, 6)
    assert ixic_streak["kind"] == "up" and ixic_streak["longest_since"].month == 12
    rel = row(con, "small_vs_large_outperformance_run", "^RUT", as_of=d)
    rel = (
        run_query(con, "small_vs_large_outperformance_run", as_of=d)
        .filter((pl.col("ticker") == "^RUT") & (pl.col("run_length") > 0))
        .row(0, named=True)
    )
    rec = row(con, "record_closes_ytd", "^GSPC", as_of=d, universe="indices")
    week = run_query(
        con, "moves_over_period", start_date=date(2026, 1, 26), end_date=d, universe="indices"
    )
    week = {(r["ticker"], r["basis"]): r["period_return"] for r in week.iter_rows(named=True)}
    sectors = run_query(con, "sector_leaders_laggards", as_of=d)
    lead, last = sectors.row(0, named=True), sectors.row(sectors.height - 1, named=True)
    tech = row(con, "technicals_snapshot", "^DJI", as_of=d, universe="indices")
    assert spx_streak["kind"] == "up" and rec["is_record_close"] and rel["kind"] == "underperf"
    assert not tech["above_sma_20"]
    text_lines = [
        Line("## Tuesday's session", []),
        Line(
            f"- **S&P 500**: +{mv['^GSPC']['ret_1d'] * 100:.2f}%, closing at a record {mv['^GSPC']['close']:,.2f}, "
            f"its {ordinal(spx_streak['run_length'])} consecutive gain.",
            [
                ("move_pct", CONFIRMED, TRUE),
                ("record", CONFIRMED, TRUE),
                ("level", CONFIRMED, TRUE),
                ("streak", CONFIRMED, TRUE),
            ],
        ),
        Line(
            f"- That makes {rec['record_closes_ytd']} record closes this year for the index.",
            [("record_count", CONFIRMED, TRUE)],
        ),
        Line(
            f"- The S&P 500 has now risen for {spx_streak['run_length']} straight sessions, the longest winning "
            "streak since December.",
            [("streak", CONFIRMED, TRUE), ("streak", CONFIRMED, TRUE)],
        ),
        # planted: October is when a strictly longer streak ended, not one as long
        Line(
            f"- The S&P 500's {spx_streak['run_length']}-day winning streak is the longest since October.",
            [("streak", CONFIRMED, TRUE), ("streak", OTHER_READING, PLANTED)],
        ),
        # planted: a streak as long ended in December, not July
        Line(
            f"- The Nasdaq's {ixic_streak['run_length']}-day winning streak is its longest since July.",
            [("streak", CONFIRMED, TRUE), ("streak", WRONG, PLANTED)],
        ),
        Line(
            f"- Dow: down {abs(mv['^DJI']['change']):,.2f} points, or {pct(mv['^DJI']['ret_1d'])}.",
            [("move_points", CONFIRMED, TRUE), ("move_pct", CONFIRMED, TRUE)],
        ),
        Line("- The Dow slipped below its 20-day moving average.", [("sma", CONFIRMED, TRUE)]),
        # planted: the sign of the move
        Line(f"- The Nasdaq fell {pct(mv['^IXIC']['ret_1d'])}.", [("move_pct", WRONG, PLANTED)]),
        Line(
            f"- For the week, the Russell 2000 is {updown(week[('^RUT', 'close')])} {pct(week[('^RUT', 'close')])}.",
            [("period_return", CONFIRMED, TRUE)],
        ),
        # planted: a date that is a Sunday (the figure is Friday's close)
        Line(
            f"- The Russell 2000 closed at {rut_fri['close']:,.2f} on January 25.",
            [("level", WRONG, PLANTED)],
        ),
        Line(
            f"- On Tuesday, January 20, the S&P 500 closed at {spx_tue['close']:,.2f}.",
            [("level", CONFIRMED, TRUE)],
        ),
        Line(
            f"- Small caps have trailed the S&P 500 for {rel['run_length']} sessions in a row.",
            [("relative_run", CONFIRMED, TRUE)],
        ),
        Line(
            f"- Sector leader: {lead['sector']} ({lead['ret_1d'] * 100:+.2f}%); {last['sector']} lagged "
            f"({last['ret_1d'] * 100:+.2f}%).",
            [("sector", CONFIRMED, TRUE), ("sector", CONFIRMED, TRUE), ("sector", CONFIRMED, TRUE)],
        ),
        Line(
            "- The Dow Transports fell 1.1%, and bitcoin rose 2.0%.",
            [("move_pct", NOT_IN_WAREHOUSE, OUT), ("move_pct", NOT_IN_WAREHOUSE, OUT)],
        ),
        Line(
            "- Investors await the Fed decision; futures point to a 0.3% gain tomorrow.",
            [("forecast", UNCHECKABLE, OUT)],
        ),
    ]
    return "\n".join(x.text for x in text_lines), d, text_lines


# -- recap 3: Friday 2025-12-05, prose paragraphs -----------------------------------------------


def recap_2025_12_05(con) -> tuple[str, date | None, list[Line]]:
    d = date(2025, 12, 5)
    mv = {
        t: row(con, "daily_moves", t, as_of=d, universe="indices")
        for t in ("^GSPC", "^IXIC", "^DJI", "^RUT")
    }
    spx = row(con, "streaks_on_date", "^GSPC", as_of=d, universe="indices")
    rec = row(con, "record_closes_ytd", "^IXIC", as_of=d, universe="indices")
    mtd = run_query(
        con, "moves_over_period", start_date=date(2025, 12, 1), end_date=d, universe="indices"
    )
    mtd = {(r["ticker"], r["basis"]): r["period_return"] for r in mtd.iter_rows(named=True)}
    breadth = row(con, "breadth_on_date", as_of=d, universe="sp500_sample")
    tech = row(con, "technicals_snapshot", "^RUT", as_of=d, universe="indices")
    sectors = run_query(con, "sector_leaders_laggards", as_of=d)
    lead = sectors.row(0, named=True)
    xlre = sectors.filter(pl.col("ticker") == "XLRE").row(0, named=True)
    dist = row(con, "distance_from_52w_high", "^IXIC", as_of=d, universe="indices")
    assert spx["kind"] == "up" and mv["^RUT"]["ret_1d"] < 0
    assert round(mtd[("^DJI", "open")] * 100, 2) != round(mtd[("^DJI", "close")] * 100, 2)
    lines = [
        Line(
            f"Friday, December 5, 2025. Wall Street edged higher as the S&P 500 climbed {pct(mv['^GSPC']['ret_1d'])}, "
            f"extending its winning streak to {spx['run_length']} sessions.",
            [("move_pct", CONFIRMED, TRUE), ("streak", CONFIRMED, TRUE)],
        ),
        Line(
            f"The tech-heavy Nasdaq ended the session at {mv['^IXIC']['close']:,.2f}, {pct(-dist['pct_from_high_52w'], 2)} "
            f"below its 52-week high, with {rec['record_closes_ytd']} record closes in 2025 so far.",
            [
                ("level", CONFIRMED, TRUE),
                ("high_52w", CONFIRMED, TRUE),
                ("record_count", CONFIRMED, TRUE),
            ],
        ),
        Line(
            f"The Russell 2000 slid {pct(mv['^RUT']['ret_1d'])}, its RSI at {tech['rsi_14']:.0f}.",
            [("move_pct", CONFIRMED, TRUE), ("rsi", CONFIRMED, TRUE)],
        ),
        # planted: the month-to-date move from the month's first open, not from November's close
        Line(
            f"Month to date the Dow has added {pct(mtd[('^DJI', 'open')])}.",
            [("period_return", OTHER_READING, PLANTED)],
        ),
        # planted: a move that is the excess over SPY, not the sector's own move
        Line(
            f"{lead['sector']} rallied {pct(lead['excess_ret_1d'])}.",
            [("sector", OTHER_READING, PLANTED)],
        ),
        Line(f"Real estate slipped {pct(xlre['ret_1d'])}.", [("sector", CONFIRMED, TRUE)]),
        Line(
            f"Breadth was positive: {breadth['advancers']} stocks rose and {breadth['decliners']} fell.",
            [("breadth", CONFIRMED, TRUE), ("breadth", CONFIRMED, TRUE)],
        ),
        # planted: advancers and decliners swapped
        Line(
            f"Decliners outnumbered advancers {breadth['advancers']} to {breadth['decliners']}.",
            [("breadth", OTHER_READING, PLANTED), ("breadth", OTHER_READING, PLANTED)],
        ),
        Line(
            "The Fed is widely expected to cut rates by 25 basis points next week.",
            [("forecast", UNCHECKABLE, OUT)],
        ),
    ]
    return " ".join(x.text for x in lines), None, lines


# -- recap 4: Friday 2025-10-10, a sell-off; abbreviated date, aliases, hedges, ranges ----------


def recap_2025_10_10(con) -> tuple[str, date | None, list[Line]]:
    d = date(2025, 10, 10)
    mv = {
        t: row(con, "daily_moves", t, as_of=d, universe="market")
        for t in ("^GSPC", "^IXIC", "^DJI", "^RUT", "SPY", "HBAN")
    }
    stocks = {
        t: row(con, "daily_moves", t, as_of=d, universe="sp500_sample") for t in ("AAPL", "NVDA")
    }
    vol = {
        r["ticker"]: r
        for r in run_query(con, "volume_vs_3m_average", as_of=d, universe="broad_etfs").iter_rows(
            named=True
        )
    }
    dist = {
        r["ticker"]: r
        for r in run_query(con, "distance_from_52w_high", as_of=d, universe="indices").iter_rows(
            named=True
        )
    }
    rng = run_query(
        con,
        "moves_over_period",
        start_date=date(2025, 9, 15),
        end_date=date(2025, 10, 3),
        universe="indices",
    )
    rng = {(r["ticker"], r["basis"]): r["period_return"] for r in rng.iter_rows(named=True)}
    sectors = run_query(con, "sector_leaders_laggards", as_of=d)
    lead, last = sectors.row(0, named=True), sectors.row(sectors.height - 1, named=True)
    breadth = row(con, "breadth_on_date", as_of=d, universe="sp500_sample")
    sma100 = run_query(con, "moving_average_on_date", as_of=d, ticker="^GSPC", sessions=100)["sma"][
        0
    ]
    above100 = run_query(
        con, "breadth_above_average", as_of=d, universe="sp500_sample", sessions=100
    )
    assert (
        above100["pct_above_sma"][0] is None
    )  # constituents start 2025-06-02: no 100-session window
    assert lead["ret_1d"] > 0 and last["ticker"] == "XLK" and breadth["new_highs_52w"] is None
    assert round(rng[("^IXIC", "open")] * 100, 2) != round(rng[("^IXIC", "close")] * 100, 2)
    assert round(mv["HBAN"]["ret_1d"] * 100, 1) != -2.3
    lines = [
        Line(
            f"Wall Street sold off on Friday, Oct. 10, 2025, as the SPX tumbled {pct(mv['^GSPC']['ret_1d'])} and the "
            f"tech-heavy Nasdaq sank {pct(mv['^IXIC']['ret_1d'])}.",
            [("move_pct", CONFIRMED, TRUE), ("move_pct", CONFIRMED, TRUE)],
        ),
        Line(
            f"RUT lost {abs(mv['^RUT']['change']):.2f} points to {mv['^RUT']['close']:,.2f}.",
            [("move_points", CONFIRMED, TRUE), ("level", CONFIRMED, TRUE)],
        ),
        Line(
            f"The Dow dropped nearly {abs(mv['^DJI']['ret_1d']) * 100:.1f}%.",
            [("move_pct", CONFIRMED, TRUE)],
        ),
        Line(
            f"SPY is down {pct(mv['SPY']['ret_mtd'])} month to date.",
            [("period_return", CONFIRMED, TRUE)],
        ),
        Line(
            f"SPY traded {vol['SPY']['rel_volume']:.2f} times its average volume.",
            [("volume", CONFIRMED, TRUE)],
        ),
        Line(
            f"IWM volume ran {vol['IWM']['pct_vs_avg_63'] * 100:.0f}% above its 63-day average volume.",
            [("volume", CONFIRMED, TRUE)],
        ),
        Line(
            "Russell 2000 volume came in at 1.2 billion shares.",
            [("volume", NOT_IN_WAREHOUSE, OUT)],
        ),
        Line(
            f"From September 15 to October 3 the Russell 2000 gained {pct(rng[('^RUT', 'close')])}.",
            [("period_return", CONFIRMED, TRUE)],
        ),
        # planted: a range measured from the first day's open
        Line(
            f"Between September 15 and October 3 the Nasdaq rose {pct(rng[('^IXIC', 'open')])}.",
            [("period_return", OTHER_READING, PLANTED)],
        ),
        Line(
            f"The S&P 500 remains {pct(dist['^GSPC']['pct_above_low_52w'], 1)} above its 52-week low.",
            [("high_52w", CONFIRMED, TRUE)],
        ),
        Line(
            f"The Nasdaq ended {pct(dist['^IXIC']['pct_from_high_52w'], 1)} off its 52-week high.",
            [("high_52w", CONFIRMED, TRUE)],
        ),
        Line(
            f"AAPL fell {pct(stocks['AAPL']['ret_1d'])} and NVDA slid {pct(stocks['NVDA']['ret_1d'])}.",
            [("move_pct", CONFIRMED, TRUE), ("move_pct", CONFIRMED, TRUE)],
        ),
        Line("HBAN lost 2.3%.", [("move_pct", WRONG, PLANTED)]),
        Line(
            f"{lead['sector']} was the only sector in the green, leading with a {pct(lead['ret_1d'])} gain.",
            [("sector", CONFIRMED, TRUE), ("sector", CONFIRMED, TRUE)],
        ),
        Line(
            f"The Technology Select Sector SPDR plunged {pct(last['ret_1d'])}, the worst of the {last['sector_count']} sectors.",
            [("sector", CONFIRMED, TRUE), ("sector", CONFIRMED, TRUE), ("sector", CONFIRMED, TRUE)],
        ),
        Line(
            f"Decliners swamped advancers {breadth['decliners']} to {breadth['advancers']}.",
            [("breadth", CONFIRMED, TRUE), ("breadth", CONFIRMED, TRUE)],
        ),
        Line(
            f"Only {breadth['pct_above_sma_20']:.1f}% of S&P 500 stocks held above their 20-day moving average.",
            [("breadth", CONFIRMED, TRUE)],
        ),
        Line("There were 12 new 52-week highs.", [("breadth", NOT_IN_WAREHOUSE, OUT)]),
        Line(f"The S&P 500's 100-day moving average is {sma100:,.2f}.", [("sma", CONFIRMED, TRUE)]),
        Line(
            "Just 40% of S&P 500 members are above their 100-day average.",
            [("breadth", NOT_IN_WAREHOUSE, OUT)],
        ),
        Line(
            "The Dow outperformed the Nasdaq for a second day.",
            [("relative_run", NOT_IN_WAREHOUSE, OUT)],
        ),
    ]
    return " ".join(x.text for x in lines), None, lines


RECAPS = [recap_2026_01_22, recap_2026_01_27, recap_2025_12_05, recap_2025_10_10]


def _check(con, build):
    text, on, lines = build(con)
    report = factcheck_text(con, text, on)
    got: list[list[tuple[str, str]]] = []
    for line in lines:
        body = "".join(line.text.replace("**", "").lstrip("-# ").split())
        mine = []
        for v in report.verdicts:
            sentence = "".join(v.claim.sentence.split())
            if (sentence in body or body in sentence) and "".join(v.claim.quote.split()) in body:
                mine.append(v)
        got.append([(v.claim.kind, v.verdict) for v in mine])
    return text, report, lines, got


@pytest.mark.parametrize("build", RECAPS, ids=lambda b: b.__name__)
def test_verdicts_on_the_corpus_are_exact(con, build):
    _text, report, lines, got = _check(con, build)
    print(to_table(report))
    for line, found in zip(lines, got, strict=True):
        expected = [(k, v) for k, v, _ in line.expected]
        assert found == expected, (
            line.text,
            found,
            [
                (v.claim.quote, v.explanation)
                for v in report.verdicts
                if v.claim.sentence and line.text[:20] in v.claim.sentence
            ],
        )
    # nothing else was claimed: every verdict belongs to a line of the corpus
    assert len(report.verdicts) == sum(len(g) for g in got)


def test_no_true_claim_is_called_wrong_every_planted_error_is_caught_and_claims_are_extracted(
    con, capsys
):
    expected_total = found_total = 0
    true_wrong, planted_missed = [], []
    for build in RECAPS:
        _, _report, lines, got = _check(con, build)
        for line, found in zip(lines, got, strict=True):
            remaining = list(found)
            for kind, _verdict, truth in line.expected:
                expected_total += 1
                hit = next(((k, v) for k, v in remaining if k == kind), None)
                if hit is None:
                    if truth == PLANTED:
                        planted_missed.append(line.text)
                    continue
                remaining.remove(hit)
                found_total += 1
                if truth == TRUE and hit[1] != CONFIRMED:
                    true_wrong.append((line.text, hit))
                if truth == PLANTED and hit[1] not in (WRONG, OTHER_READING):
                    planted_missed.append((line.text, hit))
    rate = found_total / expected_total
    with capsys.disabled():
        print(
            f"\nfact-check corpus: {found_total} of {expected_total} claims extracted ({rate:.1%})"
        )
    assert not true_wrong
    assert not planted_missed
    assert rate >= 0.9


def test_the_report_prints_its_extraction_rate(con):
    text, on, _ = recap_2026_01_22(con)
    report = factcheck_text(con, text, on)
    out = to_table(report)
    assert "Extraction rate:" in out and f"({report.extraction_rate:.0%})" in out
    assert report.extraction_rate >= 0.9


def test_a_recap_without_a_checkable_claim_says_so(con):
    text = "Markets were mixed today as investors awaited earnings from big tech. More on Monday."
    report = factcheck_text(con, text, date(2026, 1, 22))
    assert report.verdicts == [] or all(v.verdict == UNCHECKABLE for v in report.verdicts)
    assert "no checkable market claim found in the text" in report.notes
    assert "no checkable market claim" in to_table(report)


@pytest.mark.parametrize("session", [date(2025, 12, 5), date(2026, 1, 22), date(2026, 1, 27)])
def test_the_projects_own_brief_has_no_claim_called_wrong(con, session):
    """The market brief states only what the warehouse holds (each figure footnoted with its
    query): fact-checked as a recap, every claim it recognises is confirmed (none called
    wrong, read otherwise or missing), and its footnote markers and references are not
    figures."""
    from bellwether.brief.compose import compose_brief
    from bellwether.brief.render import to_markdown
    from bellwether.universe import default_universe

    text = to_markdown(compose_brief(con, session, default_universe()))
    report = factcheck_text(con, text)
    print(to_table(report))
    bad = [(v.claim.quote, v.verdict, v.explanation) for v in report.verdicts
           if v.verdict not in (CONFIRMED, UNCHECKABLE)]  # fmt: skip
    assert not bad
    assert report.session == session
    assert report.checkable >= 20
