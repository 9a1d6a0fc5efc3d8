"""The fact-checker's extraction rules, names and dates, without a warehouse."""

from __future__ import annotations

from datetime import date

import pytest

from bellwether.factcheck import rules
from bellwether.factcheck.dates import describe_non_session, find_dates, infer_recap_date
from bellwether.factcheck.extract import clean, extract, parse_number, sentences
from bellwether.factcheck.names import benchmark_pair, name_index
from bellwether.universe import UniverseConfigError, default_universe, parse_universe

SESSION = date(2026, 1, 22)  # a Thursday


@pytest.fixture(scope="module")
def index():
    return name_index(default_universe())


def claims(text, index, session=SESSION):
    return extract(text, session, index).claims


def one(text, index, session=SESSION):
    found = [c for c in claims(text, index, session) if c.kind != "unrecognized"]
    assert len(found) == 1, [(c.kind, c.quote) for c in found]
    return found[0]


# -- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ticker"),
    [
        ("the Russell 2000", "^RUT"), ("small caps", "^RUT"), ("RUT", "^RUT"), ("IWM", "IWM"),
        ("the S&P 500", "^GSPC"), ("SPX", "^GSPC"), ("SPY", "SPY"), ("the Nasdaq", "^IXIC"),
        ("the Dow", "^DJI"), ("DJIA", "^DJI"), ("Basic Materials", "XLB"), ("Materials", "XLB"),
        ("Technology", "XLK"), ("Health Care", "XLV"), ("Healthcare", "XLV"),
        ("the Utilities Select Sector SPDR", "XLU"), ("Real Estate", "XLRE"), ("HBAN", "HBAN"),
        ("AAPL", "AAPL"), ("^GSPC", "^GSPC"),
    ],
)  # fmt: skip
def test_names_and_aliases_resolve_through_the_universe_config(index, text, ticker):
    found = index.find(f"Today {text} rose.")
    assert [m.ticker for m in found] == [ticker]


def test_the_longest_name_wins_and_unheld_names_are_named(index):
    found = index.find("The Nasdaq 100 and the VIX rose, the Dow Transports fell, ARKK too.")
    assert [(m.ticker, m.unheld) for m in found] == [
        (None, "^NDX"), (None, "^VIX"), (None, "^DJT"), (None, "ARKK"),
    ]  # fmt: skip


def test_words_in_capitals_and_articles_are_not_tickers(index):
    assert index.find("A record close. RSI and YTD figures; the ETF rose.") == []
    assert [m.ticker for m in index.find("Agilent (A) and $T rose")] == ["A", "T"]


def test_sector_names_mark_the_mention_as_a_sector(index):
    (m,) = index.find("Basic Materials led")
    assert m.sector == "Materials" and m.ticker == "XLB"
    (m,) = index.find("XLB led")
    assert m.sector is None


def test_relative_pairs_come_from_the_config_either_way_round():
    u = default_universe()
    assert benchmark_pair(u, "^RUT", "^GSPC") == ("^RUT", "^GSPC", False)
    assert benchmark_pair(u, "^GSPC", "^RUT") == ("^RUT", "^GSPC", True)
    assert benchmark_pair(u, "IWM", "^GSPC") == ("IWM", "SPY", False)  # an ETF for its index
    assert benchmark_pair(u, "^DJI", "^IXIC") is None


def test_aliases_are_optional_and_validated():
    doc = {"instruments": [{"symbol": "SPY", "kind": "etf"}]}
    assert parse_universe(doc).instruments["SPY"].aliases == ()
    doc = {"instruments": [{"symbol": "SPY", "kind": "etf", "aliases": ["S&P 500 ETF"]}]}
    assert parse_universe(doc).instruments["SPY"].aliases == ("S&P 500 ETF",)
    with pytest.raises(UniverseConfigError, match=r"instruments\[0\] \(SPY\)\.aliases: .*'SPX'"):
        parse_universe({"instruments": [{"symbol": "SPY", "kind": "etf", "aliases": "SPX"}]})
    # the raw.instruments frame keeps its columns
    assert parse_universe(doc).instruments_frame().columns == [
        "ticker", "name", "kind", "sector", "size_class", "price_decimals",
    ]  # fmt: skip


# -- dates ------------------------------------------------------------------------------------


def test_dates_resolve_against_the_recap_session():
    text = "Since Jan. 2; on Tuesday; 2 January; yesterday; December 31; the 5th of January; 2026-01-20"
    got = [(d.text, d.day) for d in find_dates(text, SESSION)]
    assert got == [
        ("Jan. 2", date(2026, 1, 2)), ("Tuesday", date(2026, 1, 20)), ("2 January", date(2026, 1, 2)),
        ("yesterday", date(2026, 1, 21)), ("December 31", date(2025, 12, 31)),
        ("the 5th of January", date(2026, 1, 5)), ("2026-01-20", date(2026, 1, 20)),
    ]  # fmt: skip


def test_a_date_that_is_not_a_session_is_described():
    (d,) = find_dates("on January 25", SESSION)
    assert d.day == date(2026, 1, 25) and not d.is_session
    assert describe_non_session(d.day) == "2026-01-25 is a Sunday, not an NYSE session"
    assert "holiday" in describe_non_session(date(2025, 12, 25))


def test_the_recap_date_is_the_first_date_written_with_a_year():
    assert (
        infer_recap_date("Since Jan 2 ... Thursday, January 22, 2026: stocks ... 2026-01-05")[0]
        == SESSION
    )
    assert infer_recap_date("no date here, only Tuesday") is None


def test_a_date_that_bounds_a_period_is_not_the_recaps_date():
    """The brief without its title: "since 2025-11-03" is where a history starts, the
    recap is about the session written later; with only period bounds, the first is used."""
    text = (
        "The Russell 2000 rose 0.76% to 2,718.77, a record close (stored history since "
        "2025-11-03). Thursday, January 22, 2026: stocks rose."
    )
    assert infer_recap_date(text)[0] == SESSION
    assert infer_recap_date("up 4% since 2025-11-03")[0] == date(2025, 11, 3)


# -- text -------------------------------------------------------------------------------------


def test_markdown_is_reduced_to_prose_and_cut_into_sentences():
    text = clean("# Title\n- **S&P 500**: up 0.5% vs. the Dow. It rose.\n")
    assert "**" not in text and "#" not in text
    cut = [text[a:b].strip() for a, b in sentences(text)]
    assert cut == ["Title", "S&P 500  : up 0.5% vs. the Dow.", "It rose."]


def test_numbers_parse_with_sign_separators_and_decimals():
    assert parse_number("-2.71") == (2.71, 2, -1)
    assert parse_number("$1,234.5") == (1234.5, 1, 1)
    assert parse_number("\u22120.4") == (0.4, 1, -1)


def test_number_words_become_counts_only_before_counted_things(index):
    c = one("The Dow rose for a third straight session.", index)
    assert (c.kind, c.value, c.direction, c.quote) == ("streak", 3, 1, "third straight session")
    assert claims("One of the best days.", index) == []


# -- the rules, one kind at a time -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "measure", "value"),
    [
        ("The S&P 500 rose 0.55%.", "move_pct", "ret_1d", 0.55),
        ("The S&P 500 fell 0.55%.", "move_pct", "ret_1d", -0.55),
        ("The S&P 500 was down 1.2 percent.", "move_pct", "ret_1d", -1.2),
        ("S&P 500: -0.41%.", "move_pct", "ret_1d", -0.41),
        ("The Nasdaq shed 211.20 points.", "move_points", "change", -211.2),
        ("The Dow closed at 49,384.01.", "level", "close", 49384.01),
        ("The Dow is up 2.75% year to date.", "period_return", "period_return", 2.75),
        ("The Dow is up 2.75% month-to-date.", "period_return", "period_return", 2.75),
        ("The Dow added 0.48% this week.", "period_return", "period_return", 0.48),
        ("The Russell 2000 is up 9.11% since January 2.", "period_return", "period_return", 9.11),
        ("The Dow rose for a 4th straight session.", "streak", "up", 4),
        ("The Dow fell for three consecutive days.", "streak", "down", 3),
        ("The Dow has a 5-day losing streak.", "streak", "down", 5),
        ("Small caps beat large caps for 14 days.", "relative_run", "outperf", 14),
        ("Large caps lagged small caps for 14 days.", "relative_run", "outperf", 14),
        ("The Russell 2000 set its eighth record close of the year.", "record_count", "record_closes_ytd", 8),
        ("The S&P 500 closed at a record.", "record", "is_record_close", True),
        ("The Dow is 0.5% below its 52-week high.", "high_52w", "pct_from_high", -0.5),
        ("The Dow hit a fresh 52-week high.", "high_52w", "is_new_high", True),
        ("The Dow's 52-week low of 36,611.78.", "high_52w", "low_52w", 36611.78),
        ("The Dow's 50-day moving average sits at 48,091.30.", "sma", "sma", 48091.3),
        ("The Dow closed below its 200-day moving average.", "sma", "above_sma", False),
        ("The Dow is 2.7% above its 50-day moving average.", "sma", "pct_vs_sma", 2.7),
        ("The Dow's RSI stands at 57.7.", "rsi", "rsi_level", 57.7),
        ("The Dow's RSI is above 70.", "rsi", "rsi_threshold", 70.0),
        ("The Dow is oversold.", "rsi", "rsi_threshold", 30.0),
        ("IWM traded 35.1M shares.", "volume", "volume", 35.1e6),
        ("IWM volume was 12% below its average volume.", "volume", "pct_vs_avg", -12.0),
        ("IWM traded 1.5 times its average.", "volume", "rel_volume", 1.5),
        ("IWM traded on below-average volume.", "volume", "pct_vs_avg", 0.0),
        ("The Dow's 20-day volatility is 12.2%.", "volatility", "volatility_20d", 12.2),
        ("312 stocks rose.", "breadth", "advancers", 312),
        ("62% of S&P 500 members closed above their 50-day average.", "breadth", "pct_above_sma", 62),
        ("Energy led the market.", "sector", "leader", True),
        ("Utilities lagged.", "sector", "laggard", True),
        ("Utilities fell 2.71%.", "sector", "ret_1d", -2.71),
    ],
)  # fmt: skip
def test_each_kind_of_claim_is_extracted(index, text, kind, measure, value):
    c = one(text, index)
    assert (c.kind, c.measure) == (kind, measure)
    assert c.value == pytest.approx(value) if not isinstance(value, bool) else c.value is value


def test_a_comparison_or_a_hedge_sets_the_comparator(index):
    assert one("The Dow's RSI is below 30.", index).comparator == "<"
    assert one("The Dow rose about 0.6%.", index).comparator == "~"
    assert one("IWM traded more than 30M shares.", index).comparator == ">"


def test_a_period_is_shared_by_a_while_clause(index):
    found = claims(
        "The Russell 2000 is up 9.11% since January 2 while the S&P 500 gained 0.51%.", index
    )
    assert [(c.kind, c.subject, c.period) for c in found] == [
        ("period_return", "^RUT", ("since", date(2026, 1, 2), None)),
        ("period_return", "^GSPC", ("since", date(2026, 1, 2), None)),
    ]


def test_a_subject_carries_to_the_next_sentence(index):
    found = claims("The Russell 2000 rose 0.76%. It also set a record close.", index)
    assert [c.subject for c in found] == ["^RUT", "^RUT"]


def test_a_date_in_the_clause_is_the_claims_session(index):
    c = one("On Tuesday the S&P 500 closed at 6,796.86.", index)
    assert (c.on, c.on_text) == (date(2026, 1, 20), "Tuesday")


def test_forecasts_and_unrecognised_figures_are_not_checkable(index):
    found = extract(
        "Analysts expect the S&P 500 to reach 7,500. The Fed held 3 meetings.", SESSION, index
    )
    assert [(c.kind, bool(c.uncheckable)) for c in found.claims] == [
        ("forecast", True),
        ("unrecognized", True),
    ]
    assert (found.recognised, found.unrecognised) == (1, 1)


def test_window_lengths_and_years_are_not_figures(index):
    found = extract(
        "In 2025 the 50-day and 200-day averages crossed; the 14-day RSI too.", SESSION, index
    )
    assert found.claims == [] and found.unrecognised == 0


def test_every_rule_compiles_and_names_a_known_kind():
    from bellwether.factcheck.model import KINDS

    assert {kind for kind, _, _ in rules.RULES} <= set(KINDS)
    assert all(p.pattern for _, _, p in rules.RULES)


def test_realistic_prose_is_not_over_read(index):
    text = (
        "The 10-year yield rose to 4.25%, and oil fell $1.20 to $70.50 a barrel. "
        "Nvidia shares jumped 2.1% after the chipmaker raised its outlook. "
        "About 18.3 billion shares changed hands on U.S. exchanges."
    )
    found = claims(text, index)
    # no figure is read as a number it is not (4.25% is not "to 4.2"), nothing is pinned on
    # a name from another sentence, and "U.S." is not a ticker
    assert all(c.quote != "to 4.2" for c in found)
    assert [(c.quote, c.subject, c.unheld) for c in found if c.kind != "unrecognized"] == [
        ("fell $1.20", None, "CL=F"),
        ("to $70.50", None, "CL=F"),
        ("jumped 2.1%", None, None),
        ("18.3 billion shares", None, None),
    ]


@pytest.mark.parametrize(
    ("text", "kind", "measure", "value"),
    [
        ("The Nasdaq finished 0.9% higher.", "move_pct", "ret_1d", 0.9),
        ("AAPL fell $8.77.", "move_points", "change", -8.77),
        ("The S&P 500 is 1.0% below its record close.", "record", "pct_from_record", -1.0),
        ("The Dow was the worst of the 11 sectors.", "sector", "sector_count", 11),
    ],
)  # fmt: skip
def test_more_phrasings(index, text, kind, measure, value):
    c = next(c for c in claims(text, index) if c.kind != "unrecognized")
    assert (c.kind, c.measure, c.value) == (kind, measure, pytest.approx(value))


def test_a_relative_run_without_a_benchmark_uses_the_first_configured_one(index):
    c = one("Small-cap stocks have outperformed for 14 consecutive sessions.", index)
    assert (c.kind, c.subject, c.benchmark, c.value) == ("relative_run", "^RUT", "^GSPC", 14)


def test_a_date_after_set_on_is_not_the_claims_session(index):
    found = claims("The S&P 500 is 1.0% below its record close of 6,977.27 set on Jan. 12.", index)
    assert [(c.measure, c.value, c.on) for c in found] == [
        ("pct_from_record", pytest.approx(-1.0), SESSION),
        ("record_close", pytest.approx(6977.27), SESSION),
    ]


@pytest.mark.parametrize(
    ("text", "precision", "when"),
    [
        ("The Dow rose for a 4th straight session, the longest streak since March.", "month", date(2025, 3, 1)),
        ("The Dow rose for a 4th straight session, its longest since January 2026.", "month", date(2026, 1, 1)),
        ("The Dow rose for a 4th straight session, the longest run since 2008.", "year", date(2008, 1, 1)),
        ("The Dow rose for a 4th straight session, the longest since Jan. 12.", "day", date(2026, 1, 12)),
    ],
)  # fmt: skip
def test_the_longest_since_follows_the_run_it_qualifies(index, text, precision, when):
    run, longest = claims(text, index)
    assert (run.kind, run.measure, run.value) == ("streak", "up", 4)
    assert (longest.kind, longest.measure, longest.run, longest.subject) == (
        "streak",
        "longest_since",
        "up",
        "^DJI",
    )
    assert longest.period == (precision, when, None)


def test_intraday_figures_are_not_checkable_but_the_close_is(index):
    found = claims("The S&P 500 was up 0.3% at 10 a.m. and closed at 6,913.35.", index)
    assert [(c.kind, bool(c.uncheckable)) for c in found] == [("move_pct", True), ("level", False)]


def test_a_share_count_keeps_the_magnitude_it_was_written_in(index):
    exact, rounded = claims("SPY traded 77,112,200 shares. IWM traded 35.1M shares.", index)
    assert (exact.value, exact.scale, exact.decimals) == (77_112_200, 1.0, 0)
    assert (rounded.value, rounded.scale, rounded.decimals) == (pytest.approx(35.1e6), 1e6, 1)
