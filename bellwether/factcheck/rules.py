"""Every extraction rule of the fact-checker: patterns and dictionaries, in one place.

Nothing here is learned: the patterns are regular expressions over the lower-cased text of a
clause (instrument names replaced by placeholders, see :mod:`bellwether.factcheck.extract`),
and the dictionaries list the words that carry a direction, a period, a comparison or a
name the warehouse does not hold. ``tests/test_factcheck_rules.py`` tests them one by one.
"""

from __future__ import annotations

import re

# -- words to numbers ------------------------------------------------------------------

CARDINALS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}  # fmt: skip
ORDINALS = {
    "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20,
}  # fmt: skip
#: A number word becomes digits only before these (so "one of the" stays prose).
COUNTED = r"(?:straight|consecutive|successive|sessions?|days?|trading|record|winning|losing|times?|weeks?)"
CARDINAL_WORD = re.compile(r"\b(" + "|".join(CARDINALS) + r")(?=[\s-]+" + COUNTED + r")", re.I)
ORDINAL_WORD = re.compile(r"\b(" + "|".join(ORDINALS) + r")(?=[\s-]+" + COUNTED + r")", re.I)


def ordinal_suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


# -- dates -------------------------------------------------------------------------------

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
            "saturday": 5, "sunday": 6}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?P<weekday>" + "|".join(WEEKDAYS) + r")"
#: Dates in the order they are tried; each match is one date mention.
DATE_PATTERNS = [
    re.compile(r"\b(?P<iso>\d{4}-\d{2}-\d{2})\b"),
    re.compile(
        r"\b(?:" + _WEEKDAY + r",?\s+)?" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b"
        r"(?:,?\s+(?P<year>(?:19|20)\d{2})\b)?",
        re.I,
    ),
    re.compile(
        r"\b(?:"
        + _WEEKDAY
        + r",?\s+)?(?:the\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
        + _MONTH
        + r"(?:,?\s+(?P<year>(?:19|20)\d{2})\b)?",
        re.I,
    ),
    re.compile(r"\b" + _WEEKDAY + r"(?:'s)?\b", re.I),
    re.compile(r"\b(?P<relative>yesterday|today)(?:'s)?\b", re.I),
]
#: Words before a date that make it the start of a period rather than the claim's session.
#: "since <date>" starts a period, unless it is how far a history goes back ("a record close
#: (stored history since 2024-01-02)": the brief's own scope of a record, not a return's).
PERIOD_START = re.compile(r"(?:(?<!history )\bsince|\bfrom|\bbetween)\s*$", re.I)
#: A date after "since" is where something starts, never the day a claim is about.
SINCE = re.compile(r"\bsince\s*$", re.I)
#: Words before a date that say when something was set ("a record set on Jan. 12").
SET_ON = re.compile(r"\b(?:set|reached|hit|notched|marked|made)\s+(?:on\s+)?$", re.I)
PERIOD_END = re.compile(r"\b(?:to|through|until|and|till|-|\u2013)\s*$", re.I)

#: Period phrases (checked on the clause): kind -> pattern.
PERIODS = {
    "ytd": re.compile(
        r"\b(?:year[- ]to[- ]date|ytd|so far this year|for the year|this year so far|"
        r"since the (?:start|beginning) of the year|in 20\d\d so far)\b",
        re.I,
    ),
    "mtd": re.compile(
        r"\b(?:month[- ]to[- ]date|mtd|so far this month|for the month|this month|"
        r"since the (?:start|beginning) of the month)\b",
        re.I,
    ),
    "week": re.compile(
        r"\b(?:this week|for the week|on the week|week[- ]to[- ]date|over the week|weekly)\b", re.I
    ),
}
#: Words that refer back to the previous sentence's subject ("It also ...", "the index").
REFERS = re.compile(
    r"^\W*(?:(?:also|meanwhile|still|however|separately|overall),?\s+)?(?:it|its|it's)\b|"
    r"\b(?:the index|the benchmark|the gauge|the etf|the fund|the sector)\b",
    re.I,
)
#: A clause joined by these to a clause with a period shares that period.
SHARES_PERIOD = re.compile(r"^\s*(?:while|whereas|against|compared with|versus|vs\.?)\b", re.I)

# -- hedges, comparisons, forward-looking text -----------------------------------------------

HEDGE = r"(?P<hedge>about|around|roughly|approximately|nearly|almost|some|close to|~|just over|just under|more than|over|less than|under|above|below)?\s*"
HEDGE_COMPARATOR = {
    "about": "~", "around": "~", "roughly": "~", "approximately": "~", "nearly": "~",
    "almost": "~", "some": "~", "close to": "~", "~": "~", "just over": ">", "more than": ">",
    "over": ">", "above": ">", "just under": "<", "less than": "<", "under": "<", "below": "<",
}  # fmt: skip
#: Text about the future or about expectations is not a fact the warehouse holds.
FORWARD = re.compile(
    r"\b(?:expects?|expected|expectations?|forecasts?|projected|projects|predicts?|"
    r"could|might|(?-i:may)|will|would|next week|next month|tomorrow|"
    r"analysts? (?:see|say))\b",
    re.I,
)

#: Intraday text: the warehouse holds daily bars, not the state of the market at 10 a.m.
INTRADAY = re.compile(
    r"\b(?:\d{1,2}(?::\d\d)?\s*[ap]\.?m\b|midday|intraday|mid-session|in early trad(?:e|ing)|"
    r"in late trad(?:e|ing)|at one point|at (?:its|the) session (?:high|low))",
    re.I,
)
TIME_OF_DAY = re.compile(r"\d{1,2}(?::\d\d)?\s*[ap]\.?m\b", re.I)

# -- directions ------------------------------------------------------------------------

UP_WORDS = (
    r"rose|rises|rising|gained|gains|gaining|added|adds|climbed|climbs|jumped|jumps|advanced|"
    r"advances|rallied|rallies|surged|surges|soared|soars|rebounded|increased|firmed|"
    r"popped|spiked|edged up|ticked up|moved up|inched up|up|higher"
)
DOWN_WORDS = (
    r"fell|falls|falling|lost|loses|dropped|drops|declined|declines|slid|slides|slipped|slips|"
    r"sank|sinks|tumbled|tumbles|shed|sheds|retreated|retreats|decreased|eased|eases|"
    r"plunged|plunges|plummeted|tanked|dove|skidded|sagged|edged down|ticked down|moved down|"
    r"inched down|down|lower"
)
UP_NOUNS = r"gain|gains|rise|advance|increase|jump|rally|climb|winning|win|up"
DOWN_NOUNS = r"loss|losses|decline|drop|fall|slide|retreat|losing|lose|down"
UP_CONTEXT = re.compile(r"\b(?:" + UP_WORDS + "|" + UP_NOUNS + r"|higher|positive)\b", re.I)
DOWN_CONTEXT = re.compile(r"\b(?:" + DOWN_WORDS + "|" + DOWN_NOUNS + r"|lower|negative)\b", re.I)

# -- numbers ---------------------------------------------------------------------------------

NUM = r"[+\-\u2212\u2013]?\$?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[+\-\u2212\u2013]?\$?\d+(?:\.\d+)?"
PCT = r"\s*(?:%|percent\b|per cent\b|pct\b)"
POINTS = r"\s*(?:points?|pts?\.?)\b"
MAGNITUDE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "million": 1e6,
             "b": 1e9, "bn": 1e9, "billion": 1e9}  # fmt: skip
MAG = r"\s*(?P<mag>k|thousand|m|mn|mln|million|b|bn|billion)\b"
#: Every number token; what is not consumed by a rule is reported as unrecognised.
NUMBER = re.compile(r"(?<![\w.])(?:" + NUM + r")(?:%|\b)")
#: Numbers that only qualify a window ("50-day", "52-week", "14-session RSI").
WINDOW_SPEC = re.compile(
    r"\b\d+[- ](?:day|session|week|month|year|period)s?\b(?![- ]+(?:winning|losing|win|streak|run|gain|loss|advance|decline))",
    re.I,
)
#: Window phrases that name a volume average's length.
VOLUME_WINDOWS = {"three-month": 63, "3-month": 63, "three month": 63, "3 month": 63,
                  "one-month": 21, "1-month": 21, "quarterly": 63}  # fmt: skip

# -- names the warehouse does not hold -------------------------------------------------------

#: Name -> the usual Yahoo symbol. Matched like instrument names (longest first).
UNHELD = {
    "VIX": "^VIX", "Cboe Volatility Index": "^VIX", "volatility index": "^VIX",
    "fear gauge": "^VIX", "Nasdaq 100": "^NDX", "Nasdaq-100": "^NDX", "NDX": "^NDX",
    "Dow Transports": "^DJT", "Dow Jones Transportation Average": "^DJT",
    "transports": "^DJT", "S&P MidCap 400": "^MID", "mid caps": "^MID", "mid-caps": "^MID",
    "Russell 1000": "^RUI", "Russell 3000": "^RUA", "equal-weight S&P 500": "RSP",
    "equal-weighted S&P 500": "RSP", "S&P 500 futures": "ES=F", "futures": "ES=F",
    "semiconductors": "^SOX", "semiconductor index": "^SOX", "chipmakers": "^SOX",
    "chip stocks": "^SOX", "SOX": "^SOX", "regional banks index": "KRE",
    "regional bank index": "KRE", "KRE": "KRE", "biotech": "XBI", "biotechs": "XBI",
    "homebuilders": "XHB", "bitcoin": "BTC-USD", "gold": "GC=F", "oil": "CL=F",
    "crude": "CL=F", "WTI": "CL=F", "Brent": "BZ=F", "10-year yield": "^TNX",
    "10-year Treasury yield": "^TNX", "Treasury yields": "^TNX", "dollar index": "DX-Y.NYB",
    "MSCI World": "URTH", "Stoxx 600": "^STOXX", "Nikkei": "^N225", "FTSE 100": "^FTSE",

}  # fmt: skip
#: Sector figures from a source other than the SPDR sector ETFs the warehouse holds.
SECTOR_SOURCE = re.compile(
    r"\b(?:Morningstar|FactSet|Bloomberg|Refinitiv|LSEG|MSCI|S&P Dow Jones Indices|Dow Jones U\.S\.|"
    r"sector index|sector indices|sector indexes|industry group)\b",
    re.I,
)
#: Upper-case words that are not tickers (so they are never reported as unknown symbols).
_NOT_TICKERS = """RSI ETF ETFS YTD MTD SMA EMA GDP CPI PPI PCE FOMC FED NYSE US USA USD EPS AI CEO
CFO IPO UTC ET EST EDT AM PM OK AD NA TV EU UK OPEC ECB BOJ SEC CNBC GICS SPDR II III IV NB THE AND OR"""
NOT_TICKERS = frozenset(_NOT_TICKERS.split())

# -- claim rules -----------------------------------------------------------------------------
# Each rule: (kind, measure, pattern). Named groups: n (the figure), n2 (a second figure),
# w (a window length), mag (magnitude), hedge, dir (a direction word), cmp (above/below),
# role (led/lagged). Rules are tried in order; a matched span is consumed.

_WHOLE = r"(?!\d|[.,]\d)"  # a number is read whole: no backtracking into "4.25" as "4.2"
_N = r"(?P<n>" + NUM + r")" + _WHOLE
_N2 = r"(?P<n2>" + NUM + r")" + _WHOLE
_W = r"(?P<w>\d+)[- ](?:day|session)s?"
_ORD = r"(?P<n>\d+)(?:st|nd|rd|th)"
_STRAIGHT = r"(?:straight|consecutive|successive)"
_STREAK_UNIT = r"(?:trading\s+)?(?:sessions?|days?)"
_REL_VERB = (
    r"(?P<rel>outperform(?:ed|s|ing)?|beat(?:s|ing|en)?|bested|topped|outpaced|outran|"
    r"underperform(?:ed|s|ing)?|lagged|lags|lagging|trailed|trails|trailing)"
)
UNDERPERF_VERB = re.compile(r"under|lag|trail", re.I)
RELATIVE_HINT = re.compile(r"\b" + _REL_VERB + r"\b", re.I)

#: After "to N" / "at N": a time of day or a count is not a price level.
_NOT_A_LEVEL = (
    r"(?!\s*(?:a\.?m\b|p\.?m\b|o'clock|:\d|sessions?\b|days?\b|times\b|records?\b|"
    r"straight\b|consecutive\b|stocks\b|members\b|of\s+the\b))"
)

RULES: list[tuple[str, str, re.Pattern]] = [
    # relative runs: "small caps beat large caps for a 6th straight session", "... for 14 days"
    (
        "relative_run",
        "run",
        re.compile(
            _REL_VERB + r"\b[^;]*?\b(?:for|in|over)\s+(?:a|an|the|each of the(?: last| past)?|"
            r"(?:the\s+)?(?:last|past))?\s*(?:"
            + _ORD
            + r"|(?P<n2>\d+))\s*"
            + _STRAIGHT
            + r"?\s*"
            + _STREAK_UNIT
            + r"(?:\s+in\s+a\s+row)?",
            re.I,
        ),
    ),
    (
        "relative_run",
        "run",
        re.compile(
            r"(?P<n>\d+)[- ](?:session|day)\s+(?:run|streak)\s+of\s+(?P<rel>out|under)performance",
            re.I,
        ),
    ),
    # record counts: "its eighth record close of the year", "8 record closes this year"
    (
        "record_count",
        "record_closes_ytd",
        re.compile(_ORD + r"\s+record\s+(?:close|closing high|finish|high)", re.I),
    ),
    (
        "record_count",
        "record_closes_ytd",
        re.compile(r"(?P<n>\d+)\s+record\s+(?:closes|closing highs|finishes|highs)", re.I),
    ),
    # streaks
    (
        "streak",
        "run",
        re.compile(
            r"(?:winning|losing|win|losing|up|down|gaining|rally)?\s*(?:streak|run)\s+(?:to|of|at)\s+"
            r"(?P<n>\d+)\s*" + _STRAIGHT + r"?\s*" + _STREAK_UNIT,
            re.I,
        ),
    ),
    (
        "streak",
        "run",
        re.compile(
            r"(?P<n>\d+)[- ](?:session|day)\s+(?P<dir>winning|losing|win|lose|up|down)\s+(?:streak|run)",
            re.I,
        ),
    ),
    (
        "streak",
        "run",
        re.compile(
            _ORD
            + r"\s+"
            + _STRAIGHT
            + r"\s+(?:(?:trading\s+)?(?:session|day)|(?P<dir>gain|advance|"
            r"rise|increase|up day|decline|loss|drop|fall|down day|winning session|losing session))",
            re.I,
        ),
    ),
    ("streak", "run", re.compile(r"(?P<n>\d+)\s+" + _STRAIGHT + r"\s+" + _STREAK_UNIT, re.I)),
    ("streak", "run", re.compile(r"(?P<n>\d+)\s+" + _STREAK_UNIT + r"\s+in\s+a\s+row", re.I)),
    # the number of sectors ranked ("the worst of the 11 sectors")
    (
        "sector",
        "sector_count",
        re.compile(
            r"\b(?:of\s+)?(?:the|all)\s+(?P<n>\d+)\s+(?:S&P\s+500\s+|SPDR\s+|GICS\s+)?sectors\b",
            re.I,
        ),
    ),
    # breadth
    (
        "breadth",
        "advancers",
        re.compile(
            r"advancers\s+(?:outnumbered|outpaced|beat|led|swamped|overwhelmed|trounced)\s+decliners\s+(?:by\s+)?"
            + _N
            + r"\s*(?:to|-|\u2013|against)\s*"
            + _N2,
            re.I,
        ),
    ),
    (
        "breadth",
        "decliners",
        re.compile(
            r"decliners\s+(?:outnumbered|outpaced|beat|led|swamped|overwhelmed|trounced)\s+advancers\s+(?:by\s+)?"
            + _N
            + r"\s*(?:to|-|\u2013|against)\s*"
            + _N2,
            re.I,
        ),
    ),
    (
        "breadth",
        "pct_above_sma",
        re.compile(
            _N + PCT + r"\s+of\s+[^;]*?(?:stocks|members|names|components|constituents|companies)"
            r"[^;]*?\b(?:above|over)\s+(?:their|its|the)\s+" + _W,
            re.I,
        ),
    ),
    (
        "breadth",
        "advancers",
        re.compile(
            _N
            + r"\s+(?:advancers|advancing\s+(?:stocks|issues|names)|(?:stocks|members|names|issues|"
            r"components|companies)\s+(?:rose|advanced|gained|closed higher|finished higher|were up|closed up))",
            re.I,
        ),
    ),
    (
        "breadth",
        "decliners",
        re.compile(
            _N
            + r"\s+(?:decliners|declining\s+(?:stocks|issues|names)|(?:stocks|members|names|issues|"
            r"components|companies)?\s*(?:fell|declined|dropped|lost ground|closed lower|finished lower|were down|closed down))",
            re.I,
        ),
    ),
    (
        "breadth",
        "unchanged",
        re.compile(_N + r"\s+(?:were\s+|closed\s+|finished\s+)?unchanged", re.I),
    ),
    ("breadth", "new_highs_52w", re.compile(_N + r"\s+new\s+52-week\s+highs", re.I)),
    ("breadth", "new_lows_52w", re.compile(_N + r"\s+new\s+52-week\s+lows", re.I)),
    (
        "breadth",
        "ad_line",
        re.compile(
            r"(?:a/d|advance[- ]decline)\s+line\s+(?:at|of|to|stood at|rose to|fell to|closed at)\s+"
            + _N,
            re.I,
        ),
    ),
    # 52-week high and low
    (
        "high_52w",
        "pct_from_high",
        re.compile(
            HEDGE
            + _N
            + PCT
            + r"\s+(?:below|under|off|from|short of|shy of|beneath)\s+(?:its|their|the|a)?\s*52-week\s+high",
            re.I,
        ),
    ),
    (
        "high_52w",
        "pct_above_low",
        re.compile(HEDGE + _N + PCT + r"\s+above\s+(?:its|their|the|a)?\s*52-week\s+low", re.I),
    ),
    (
        "high_52w",
        "high_52w",
        re.compile(r"52-week\s+high\s+(?:of|at|is|was|stands at|sits at)\s+" + _N, re.I),
    ),
    (
        "high_52w",
        "low_52w",
        re.compile(r"52-week\s+low\s+(?:of|at|is|was|stands at|sits at)\s+" + _N, re.I),
    ),
    (
        "high_52w",
        "is_new_high",
        re.compile(
            r"(?:new|fresh|hit an?|set an?|reached an?|touched an?|at an?|notched an?|marked an?)\s+52-week\s+high",
            re.I,
        ),
    ),
    (
        "high_52w",
        "is_new_low",
        re.compile(
            r"(?:new|fresh|hit an?|set an?|reached an?|touched an?|at an?|notched an?|marked an?)\s+52-week\s+low",
            re.I,
        ),
    ),
    # the distance from the record close ("1.0% below its record close of 6,977.27")
    (
        "record",
        "pct_from_record",
        re.compile(
            HEDGE
            + _N
            + PCT
            + r"\s+(?:below|under|off|from|short of|shy of|beneath)\s+(?:its|their|the|a)?\s*"
            r"(?:record|all-time)\s+(?:close|closing high|high)(?:\s+of\s+" + _N2 + r")?",
            re.I,
        ),
    ),
    # records (after record counts)
    (
        "record",
        "is_record_close",
        re.compile(
            r"(?:record\s+(?:close|closing\s+high|finish|high)\b|all-time\s+(?:closing\s+)?high|"
            r"closed\s+at\s+a\s+record|fresh\s+record|new\s+record)",
            re.I,
        ),
    ),
    # moving averages
    (
        "sma",
        "pct_vs_sma",
        re.compile(
            HEDGE
            + _N
            + PCT
            + r"\s+(?P<cmp>above|below|under|over)\s+(?:its|their|the)\s+"
            + _W
            + r"\s+(?:simple\s+)?(?:moving\s+)?average(?!\s+(?:daily\s+)?(?:volume|turnover))",
            re.I,
        ),
    ),
    # the brief's own: "50-day average 6,836.53 (close +1.12% vs it)", the level and the
    # close's distance from it
    (
        "sma",
        "pct_vs_sma",
        re.compile(
            _W
            + r"\s+(?:simple\s+)?(?:moving\s+)?average\s+"
            + _N2
            + r"\s*\(\s*(?:the\s+)?close\s+"
            + _N
            + PCT
            + r"\s+(?:vs\.?|versus|against)\s+it\s*\)",
            re.I,
        ),
    ),
    (
        "sma",
        "sma",
        re.compile(
            _W
            + r"\s+(?:simple\s+)?moving\s+average\s*(?:\(\w+\)\s*)?(?:,\s*)?(?:of|at|sits at|is at|stands at|is|was|near|around)?\s*"
            + _N
            + r"(?!\s*(?:%|percent|shares|[mb]\b))",
            re.I,
        ),
    ),
    (
        "sma",
        "above_sma",
        re.compile(
            r"(?P<cmp>above|below|under|over|beneath)\s+(?:its|their|the)\s+"
            + _W
            + r"\s+(?:simple\s+)?(?:moving\s+)?average(?!\s+(?:volume|of\s+\d))",
            re.I,
        ),
    ),
    # RSI
    (
        "rsi",
        "rsi_level",
        re.compile(
            r"(?:rsi|relative strength index)(?:\s*\(14\))?[^;\d%]{0,30}?\b(?:at|of|to|near|hit|reached|is|was|stands at|sits at|=|:)\s*"
            + _N
            + r"(?!\s*(?:%|percent))",
            re.I,
        ),
    ),
    (
        "rsi",
        "rsi_threshold",
        re.compile(
            r"(?:rsi|relative strength index)(?:\s*\(14\))?[^;\d%]{0,30}?\b(?P<cmp>above|over|below|under|beneath)\s+"
            + _N,
            re.I,
        ),
    ),
    ("rsi", "overbought", re.compile(r"\b(?P<cmp>overbought|oversold)\b", re.I)),
    # volume
    (
        "volume",
        "rel_volume",
        re.compile(
            _N
            + r"\s*(?:x|times)\s+(?:its\s+|the\s+)?(?:\w+[- ]\w+\s+|\w+\s+)?(?:average|normal|usual)",
            re.I,
        ),
    ),
    (
        "volume",
        "pct_vs_avg",
        re.compile(
            HEDGE
            + _N
            + PCT
            + r"\s+(?P<cmp>above|below|under|over)\s+(?:its|the|their)\s+(?:(?P<w>\d+)[- ](?:day|session)\s+|"
            r"(?P<wname>three-month|3-month|one-month|1-month)\s+)?(?:average|avg\.?|normal)\s*(?:daily\s+)?(?:volume|turnover)",
            re.I,
        ),
    ),
    (
        "volume",
        "avg_volume",
        re.compile(
            r"(?:average|avg\.?)\s+(?:daily\s+)?(?:volume|turnover)\s+(?:of|at|is|was|near)\s+"
            + _N
            + MAG,
            re.I,
        ),
    ),
    (
        "volume",
        "avg_volume",
        re.compile(
            r"(?:against|vs\.?|versus|compared with|compared to|below|above|under|over|short of)\s+(?:an?|its|the)\s+"
            r"(?:(?P<w>\d+)[- ](?:day|session)\s+|(?P<wname>three-month|3-month|one-month|1-month)\s+|daily\s+)?"
            r"(?:average\s+(?:of\s+)?"
            + _N
            + MAG
            + r"|"
            + _N2
            + r"\s*(?P<mag2>k|thousand|m|mn|mln|million|b|bn|billion)\b"
            r"(?:\s+shares)?\s+(?:(?:daily\s+)?average|avg))",
            re.I,
        ),
    ),
    (
        "volume",
        "volume",
        re.compile(
            r"(?:traded|volume\s+(?:of|was|at|came in at|reached|hit)|turnover\s+of|with|saw)\s+"
            + HEDGE
            + _N
            + MAG
            + r"(?:\s+shares)?",
            re.I,
        ),
    ),
    ("volume", "volume", re.compile(_N + MAG + r"\s+shares", re.I)),
    ("volume", "volume", re.compile(_N + r"\s+shares\b", re.I)),  # a plain count
    (
        "volume",
        "pct_vs_avg_sign",
        re.compile(
            r"(?P<cmp>above|below|heavier than|lighter than|under|over)[- ](?:its\s+|the\s+)?average\s+volume|"
            r"(?P<cmp2>heavy|light|thin|below-average|above-average)\s+volume",
            re.I,
        ),
    ),
    # volatility
    (
        "volatility",
        "volatility_20d",
        re.compile(
            r"volatility[^;\d%]{0,40}?\b(?:at|of|to|is|was|near|around|stands at|sits at)\s+"
            + HEDGE
            + _N
            + PCT,
            re.I,
        ),
    ),
    (
        "volatility",
        "volatility_20d",
        re.compile(
            HEDGE
            + _N
            + PCT
            + r"\s+(?:\(?annuali[sz]ed\)?\s+|realized\s+|realised\s+|20-day\s+|historical\s+)*volatility",
            re.I,
        ),
    ),
    # points before percents ("rose 37.73 points, or 0.55%")
    (
        "move_points",
        "change",
        re.compile(
            r"\b(?P<dir>" + UP_WORDS + "|" + DOWN_WORDS + r")\s+(?:by\s+)?" + HEDGE + _N + POINTS,
            re.I,
        ),
    ),
    (
        "move_points",
        "change",
        re.compile(
            _N + r"[- ]points?\s+(?P<dir>" + UP_NOUNS + "|" + DOWN_NOUNS + r"|gain|loss)", re.I
        ),
    ),
    (
        "move_points",
        "change",
        re.compile(r"(?<![\w.])(?P<n>[+\-\u2212\u2013]\d[\d,]*(?:\.\d+)?)" + POINTS, re.I),
    ),
    (
        "move_points",
        "change",
        re.compile(
            r"\b(?P<dir>"
            + UP_WORDS
            + "|"
            + DOWN_WORDS
            + r")\s+(?:by\s+)?"
            + HEDGE
            + r"(?P<n>\$\d[\d,]*(?:\.\d+)?)"
            + _WHOLE
            + r"(?!\s*(?:k|m|b|bn|mn|million|billion|thousand|trillion)\b)",
            re.I,
        ),
    ),
    # percent moves (day moves, or period returns when the clause names a period)
    (
        "move_pct",
        "ret",
        re.compile(
            r"\b(?P<dir>"
            + UP_WORDS
            + "|"
            + DOWN_WORDS
            + r")\s+(?:by\s+|a\s+further\s+|another\s+)?"
            + HEDGE
            + _N
            + PCT,
            re.I,
        ),
    ),
    (
        "move_pct",
        "ret",
        re.compile(
            HEDGE
            + _N
            + PCT
            + r"\s+(?:(?:year-to-date|ytd|weekly|daily|monthly)\s+)?(?P<dir>"
            + UP_NOUNS
            + "|"
            + DOWN_NOUNS
            + r"|higher|lower)\b",
            re.I,
        ),
    ),
    (
        "move_pct",
        "ret",
        re.compile(
            r"(?P<dir>gain|gains|loss|losses|decline|drop|rise|return|move|change|advance|increase|"
            r"fall|slide|rally)\s+(?:of|to|at|was|is|stands at|stood at)\s+" + HEDGE + _N + PCT,
            re.I,
        ),
    ),
    # a signed percent, unless it is relative to another's ("-0.58% relative to it": a
    # difference of returns, not a move)
    (
        "move_pct",
        "ret",
        re.compile(
            r"(?<![\w.])(?P<n>[+\-\u2212\u2013]\d+(?:\.\d+)?)"
            + PCT
            + r"(?!\s+(?:relative\s+to|vs\.?|versus|against)\b)",
            re.I,
        ),
    ),
    ("move_pct", "ret", re.compile(r"\b(?:with|by|of)\s+(?:a\s+)?" + _N + PCT, re.I)),
    ("move_pct", "ret", re.compile(r"\bor\s+" + HEDGE + _N + PCT, re.I)),
    # levels
    (
        "level",
        "close",
        re.compile(
            r"\b(?:closed|ended|finished|settled|close[sd]?|finishing|ending|closing)\s+(?:the\s+(?:session|day|week)\s+)?"
            r"(?:at|near|around|on)\s+(?:an?\s+(?P<rec>record|all-time high)\s+(?:of\s+)?|a\s+level\s+of\s+)?"
            + _N
            + r"(?!\s*(?:%|percent|points|pts|shares|[mb]\b|million|billion))"
            + _NOT_A_LEVEL,
            re.I,
        ),
    ),
    (
        "level",
        "close",
        re.compile(
            r"\b(?:to|at)\s+(?:an?\s+(?P<rec>record|all-time\s+high)\s+(?:of\s+)?)?"
            + _N
            + r"(?!\s*(?:%|percent|points|pts|shares|[mb]\b|million|billion|-|\u2013|to\b))"
            + _NOT_A_LEVEL,
            re.I,
        ),
    ),
    (
        "level",
        "close",
        re.compile(r"\b(?:close|level)\s+of\s+" + _N + r"(?!\s*(?:%|percent))", re.I),
    ),
]

#: "... the longest run since March": when a run at least as long was last seen.
LONGEST_SINCE = re.compile(
    r"\b(?:the\s+|its\s+|their\s+)?longest(?:\s+(?:such|winning|losing))?"
    r"(?:\s+(?:run|streak|stretch|string))?(?:\s+of\s+\w+)?\s+since\s+",
    re.I,
)
LONGEST_WHEN = re.compile(
    r"(?:(?P<month>"
    + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")\.?(?:\s+(?P<year>(?:19|20)\d\d))?"
    r"|(?P<yearonly>(?:19|20)\d\d))\b",
    re.I,
)

#: Sector roles: a sector named with one of these led or lagged the day.
LEADER = re.compile(
    r"\b(?:led|leads|leading|(?:was|were)\s+the\s+(?:best|top)|top(?:-performing)?\s+sector|"
    r"best(?:-performing)?\s+sector|the\s+leader|outperformed\s+(?:all|every)|topped\s+the\s+(?:sector|leader)|"
    r"the\s+(?:best|strongest)\s+of)",
    re.I,
)
LAGGARD = re.compile(
    r"\b(?:lagged|lagging|lags|(?:was|were)\s+the\s+(?:worst|weakest)|worst(?:-performing)?\s+sector|"
    r"weakest\s+sector|the\s+laggard|bottom\s+of\s+the|brought\s+up\s+the\s+rear|trailed\s+(?:all|every)|"
    r"the\s+(?:worst|weakest)\s+of)",
    re.I,
)

#: Sentences end at . ! ? (not inside numbers or these abbreviations) and at line breaks.
ABBREVIATIONS = re.compile(
    r"\b(?:vs|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Corp|Co|Ltd|St|approx|est|U\.S|e\.g|i\.e)\.",
    re.I,
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"\u201c(A-Z$^])|\n(?=[ \t]*[^a-z\s])|\n\s*\n")
#: Clause boundaries inside a sentence (each clause gets its own subject and period).
CLAUSE_SPLIT = re.compile(
    r";|\s+(?=(?:while|whereas|but|although|though)\b)|,\s+(?=(?:and|as|with)\s)|\s+(?=and\s+(?:the|its)\s)",
    re.I,
)
