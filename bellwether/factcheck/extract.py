"""Finding the claims in a recap: sentences, clauses, names, dates and the rules of ``rules``.

The text is cleaned of Markdown, number words before counted things become digits (padded
to the same length, so every offset still points into the text as written), and it is cut
into sentences and clauses. In each clause the instrument names and dates are masked, the
rules are tried in order (a match consumes its span), and each claim takes the nearest
name before it in the clause (else after it, else the subject of the previous sentence).
Every number left over is reported as a figure no rule recognised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bellwether.factcheck import rules
from bellwether.factcheck.dates import DateMention, find_dates
from bellwether.factcheck.model import Claim
from bellwether.factcheck.names import Mention, NameIndex, benchmark_pair

_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_PREFIX = re.compile(r"^(\s*)(#{1,6}\s+|>\s*|[-*+]\s+|\d+\.\s+)", re.M)
_MD_EMPH = re.compile(r"\*\*|__|`|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)")
#: A Markdown footnote's definition (a line ``[^1]: ...``) and a reference to it (``[^1]``):
#: neither is a figure of the recap (the brief footnotes every figure with its query).
_MD_FOOTNOTE_DEF = re.compile(r"^\[\^[^\]\s]+\]:.*$", re.M)
_MD_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_AGAINST = re.compile(r"\b(?:against|versus|vs\.?|relative to|over)\s*$", re.I)


@dataclass
class Extraction:
    """The claims found, and the figures seen and recognised (for the extraction rate)."""

    text: str
    claims: list[Claim] = field(default_factory=list)
    recognised: int = 0
    unrecognised: int = 0


def clean(text: str) -> str:
    """Markdown reduced to prose (links to their text, no emphasis, list markers or
    footnotes)."""
    text = _MD_FOOTNOTE_DEF.sub(lambda m: " " * len(m.group(0)), text)
    text = _MD_FOOTNOTE_REF.sub(lambda m: " " * len(m.group(0)), text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_PREFIX.sub(lambda m: m.group(1) + " " * len(m.group(2)), text)
    text = _MD_EMPH.sub(lambda m: " " * len(m.group(0)), text)
    return text.replace("|", "\n")


def _digits(text: str) -> str:
    """Number words before counted things as digits, left-padded to the same length."""

    def sub(table):
        def repl(m: re.Match) -> str:
            word = m.group(1)
            n = table[word.lower()]
            digits = f"{n}{rules.ordinal_suffix(n)}" if table is rules.ORDINALS else str(n)
            return digits.rjust(len(word))

        return repl

    text = rules.ORDINAL_WORD.sub(sub(rules.ORDINALS), text)
    return rules.CARDINAL_WORD.sub(sub(rules.CARDINALS), text)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence."""
    guarded = rules.ABBREVIATIONS.sub(lambda m: m.group(0)[:-1] + "\u00b7", text)
    out, start = [], 0
    for m in rules.SENTENCE_END.finditer(guarded):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return [(a, b) for a, b in out if text[a:b].strip()]


def clauses(sentence: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in rules.CLAUSE_SPLIT.finditer(sentence):
        if m.start() > start:
            out.append((start, m.start()))
        start = m.end()
    out.append((start, len(sentence)))
    return [(a, b) for a, b in out if sentence[a:b].strip()]


def parse_number(raw: str) -> tuple[float, int, int]:
    """(absolute value, decimals, sign) of a written number ('-2.71', '$1,234.5', '+0.4')."""
    sign = -1 if raw[:1] in "-\u2212\u2013" else 1
    body = raw.lstrip("+-\u2212\u2013$").replace(",", "")
    decimals = len(body.split(".")[1]) if "." in body else 0
    return float(body), decimals, sign


def _direction_near(clause: str, pos: int) -> int | None:
    """+1/-1 from the direction word nearest to ``pos`` in the clause."""
    best: tuple[int, int] | None = None
    for pattern, d in ((rules.UP_CONTEXT, 1), (rules.DOWN_CONTEXT, -1)):
        for m in pattern.finditer(clause):
            dist = abs(m.start() - pos)
            if best is None or dist < best[0]:
                best = (dist, d)
    return best[1] if best else None


def _word_direction(word: str | None) -> int | None:
    if not word:
        return None
    w = word.lower()
    if re.fullmatch(rf"(?:{rules.DOWN_WORDS}|{rules.DOWN_NOUNS}|loss|lose)", w):
        return -1
    if re.fullmatch(rf"(?:{rules.UP_WORDS}|{rules.UP_NOUNS}|gain)", w):
        return 1
    return None


class _Extractor:
    def __init__(self, text: str, session: date, index: NameIndex) -> None:
        self.original = clean(text)
        self.work = _digits(self.original)
        self.session = session
        self.index = index
        self.out = Extraction(self.original)
        self.carried: Mention | None = None

    def run(self) -> Extraction:
        for s0, s1 in sentences(self.work):
            self.sentence(s0, s1)
        return self.out

    # -- a sentence ------------------------------------------------------------------

    def sentence(self, s0: int, s1: int) -> None:
        self.s0 = s0
        text = self.work[s0:s1]
        self._sentence = text
        mentions = self.index.find(text)
        dates = find_dates(text, self.session)
        masked = list(text.lower())
        for m in mentions:
            masked[m.start : m.end] = "\u00a7" * (m.end - m.start)
        for d in dates:
            masked[d.start : d.end] = "\u00a4" * (d.end - d.start)
        masked = "".join(masked)
        previous_period = None
        subject_seen: Mention | None = None
        for c0, c1 in clauses(text):
            period = self._period(text, masked, c0, c1, dates)
            if period is None and previous_period and rules.SHARES_PERIOD.match(text[c0:c1]):
                period = previous_period
            self.clause(s0, text, masked, c0, c1, mentions, dates, period)
            previous_period = period or previous_period
            held = [m for m in mentions if c0 <= m.start < c1]
            if held and subject_seen is None:
                subject_seen = held[0]  # the sentence's first name is what "it" refers to next
        if subject_seen is not None:
            self.carried = subject_seen

    def _period(self, text, masked, c0, c1, dates) -> tuple | None:
        clause = text[c0:c1]
        inside = [d for d in dates if c0 <= d.start < c1]
        for d in inside:
            before = text[c0 : d.start]
            if rules.PERIOD_START.search(before):
                end = None
                for e in inside:
                    if e.start > d.end and rules.PERIOD_END.search(text[d.end : e.start]):
                        end = e.day
                        break
                return ("since" if end is None else "range", d.day, end, d.text)
        for kind, pattern in rules.PERIODS.items():
            if pattern.search(clause):
                return (kind, None, None, None)
        return None

    def _claim_date(self, text, c0, c1, dates, period) -> DateMention | None:
        for d in dates:
            if c0 <= d.start < c1:
                before = text[c0 : d.start]
                if (period and period[3] is not None) and (
                    rules.PERIOD_START.search(before) or rules.PERIOD_END.search(before)
                ):
                    continue
                if rules.SET_ON.search(before) or rules.SINCE.search(before):
                    continue
                return d
        return None

    def _subject(self, mentions: list[Mention], c0: int, c1: int, pos: int) -> Mention | None:
        inside = [m for m in mentions if c0 <= m.start < c1]
        before = [m for m in inside if m.end <= pos]
        if before:
            return before[-1]
        after = [m for m in inside if m.start >= pos]
        if after:
            return after[0]
        earlier = [m for m in mentions if m.end <= c0]
        if earlier:
            return earlier[-1]
        if rules.REFERS.search(self._sentence):
            return self.carried  # "It also set a record": the previous sentence's subject
        return None

    # -- a clause -----------------------------------------------------------------------

    def clause(self, s0, text, masked, c0, c1, mentions, dates, period) -> int:
        body = masked[c0:c1]
        consumed: list[tuple[int, int]] = []
        forward = rules.FORWARD.search(text[c0:c1])
        intraday = rules.INTRADAY.search(text[c0:c1])
        claim_date = self._claim_date(text, c0, c1, dates, period)
        made = []
        for kind, measure, pattern in rules.RULES:
            for m in pattern.finditer(body):
                a, b = m.start() + c0, m.end() + c0
                if any(x < b and a < y for x, y in consumed):
                    continue
                claims = self._make(kind, measure, m, text, c0, c1, mentions, period)
                if not claims:
                    continue
                consumed.append((a, b))
                made.extend(claims)
        # sector roles ("Materials led", "Real Estate was the worst-performing sector")
        for pattern, role in ((rules.LEADER, "leader"), (rules.LAGGARD, "laggard")):
            for m in pattern.finditer(body):
                a = m.start() + c0
                subj = self._subject(mentions, c0, c1, a)
                if subj is None or subj.ticker is None or not self._is_sector(subj.ticker):
                    continue
                if rules.RELATIVE_HINT.match(m.group(0)) and any(
                    c0 <= x.start < c1 and x.start > a for x in mentions
                ):
                    continue  # "lagged the S&P 500" is a relative statement, not a sector role
                made.append(
                    self._claim(
                        "sector", role, text, a, m.end() + c0, subj, value=True, unit="bool"
                    )
                )
                consumed.append((a, m.end() + c0))
                break
        made += self._longest_since(text, body, c0, dates, made, consumed)
        made.sort(key=lambda c: c.start)
        for claim in made:
            claim.start += s0
            claim.end += s0
            claim.sentence = self.original[s0 : s0 + len(text)].strip()
            if claim.on is None:
                if claim_date is not None:
                    claim.on, claim.on_text = claim_date.day, claim_date.text
                else:
                    claim.on = self.session
            at_close = re.search(r"\b(?:clos|ended|end\b|finish|settl)", claim.quote, re.I)
            source = rules.SECTOR_SOURCE.search(text)
            if source and claim.kind == "sector" and claim.measure == "ret_1d" and not claim.unheld:
                claim.unheld = f"sector source: {source.group(0)}"
            if intraday and claim.uncheckable is None and not at_close:
                claim.uncheckable = (
                    f"intraday ({intraday.group(0)!r}): the warehouse holds daily bars"
                )
            if forward and claim.uncheckable is None:
                claim.kind = "forecast"
                claim.uncheckable = f"about the future or an expectation ({forward.group(0)!r})"
            self.out.claims.append(claim)
            self.out.recognised += 1
        # numbers no rule took
        for m in rules.NUMBER.finditer(body):
            a, b = m.start() + c0, m.end() + c0
            if any(x <= a and b <= y for x, y in consumed):
                continue
            if any(w.start() <= m.start() < w.end() for w in rules.WINDOW_SPEC.finditer(body)):
                continue
            raw = m.group(0)
            if _YEAR.match(raw) or re.match(r"\(14\)", body[m.start() - 1 : m.end() + 1]):
                continue
            if re.match(r"\d+(?:st|nd|rd|th)?\s*(?:quarter|half)", body[m.start() :]):
                continue
            if rules.TIME_OF_DAY.match(body, m.start()):
                continue
            kind = "forecast" if forward else "unrecognized"
            c = self._claim(kind, "figure", text, a, b, None)
            c.start += s0
            c.end += s0
            c.sentence = self.original[s0 : s0 + len(text)].strip()
            c.uncheckable = (
                f"about the future or an expectation ({forward.group(0)!r})"
                if forward
                else "no rule recognises what this figure measures"
            )
            c.on = self.session
            self.out.claims.append(c)
            if forward:
                self.out.recognised += 1
            else:
                self.out.unrecognised += 1
        return len(made)

    def _longest_since(self, text, body, c0, dates, made, consumed) -> list[Claim]:
        """ "the longest run since March": when a run at least as long was last seen."""
        out = []
        for m in rules.LONGEST_SINCE.finditer(body):
            a, b = m.start() + c0, m.end() + c0
            runs = [c for c in made if c.kind in ("streak", "relative_run") and c.start < a]
            if not runs:
                continue
            run = runs[-1]
            when = next((d for d in dates if b <= d.start <= b + 1), None)
            if when is not None:
                spec, end = ("day", when.day), when.end
            else:
                w = rules.LONGEST_WHEN.match(text, b)
                if w is None:
                    continue
                if w.group("yearonly"):
                    spec, end = ("year", date(int(w.group("yearonly")), 1, 1)), w.end()
                else:
                    month = rules.MONTHS[w.group("month").lower()]
                    year = int(w.group("year")) if w.group("year") else self.session.year
                    if not w.group("year") and month > self.session.month:
                        year -= 1  # "since March" in a January recap is last March
                    spec, end = ("month", date(year, month, 1)), w.end()
            claim = self._claim(
                run.kind, "longest_since", text, a, end, None, value=spec[1], unit="since"
            )
            claim.subject, claim.subject_text, claim.benchmark = (
                run.subject,
                run.subject_text,
                run.benchmark,
            )
            claim.direction, claim.unheld, claim.uncheckable = (
                run.direction,
                run.unheld,
                run.uncheckable,
            )
            claim.period = (spec[0], spec[1], None)
            claim.window = None
            claim.run = run.measure  # up/down or outperf/underperf
            consumed.append((a, end))
            out.append(claim)
        return out

    def _is_sector(self, ticker: str) -> bool:
        inst = self.index.universe.instruments.get(ticker)
        return bool(inst and inst.kind == "etf" and inst.sector)

    def _claim(self, kind, measure, text, a, b, subj: Mention | None, **kw) -> Claim:
        c = Claim(kind=kind, measure=measure, quote=self.original_slice(text, a, b), start=a, end=b,
                  sentence="", **kw)  # fmt: skip
        if subj is not None:
            c.subject_text = subj.text
            if subj.unheld:
                c.unheld = subj.unheld
            else:
                c.subject = subj.ticker
        return c

    def original_slice(self, text: str, a: int, b: int) -> str:
        # ``text`` is self.work[s0:...]; the same offsets in the original keep the words
        del text
        a, b = self.s0 + a, self.s0 + b
        while a > 0 and self.original[a - 1].isalnum():
            a -= 1  # a number word became digits: quote the whole word
        return self.original[a:b].strip()

    # -- one rule match to claims ------------------------------------------------------

    def _make(self, kind, measure, m: re.Match, text, c0, c1, mentions, period) -> list[Claim]:
        g = m.groupdict()
        a, b = m.start() + c0, m.end() + c0
        clause = text[c0:c1]
        subj = self._subject(mentions, c0, c1, a)
        hedge = (g.get("hedge") or "").lower().strip()
        comparator = rules.HEDGE_COMPARATOR.get(hedge, "=")

        def num(group="n"):
            value, decimals, sign = parse_number(g[group])
            return value, decimals, sign

        if kind == "relative_run":
            raw = g.get("n") or g.get("n2")
            n = int(raw)
            rel = g["rel"].lower()
            kind_word = "underperf" if rules.UNDERPERF_VERB.search(rel) else "outperf"
            rel_pos = m.start("rel") + c0
            left = [x for x in mentions if c0 <= x.start < rel_pos and x.ticker]
            right = [x for x in mentions if rel_pos <= x.start < c1 and x.ticker]
            if not left and self.carried is not None:
                left = [self.carried]
            claim = self._claim("relative_run", "run", text, a, b, left[-1] if left else subj,
                                value=n, unit="count")  # fmt: skip
            if left and right:
                pair = benchmark_pair(self.index.universe, left[-1].ticker, right[0].ticker)
                claim.subject_text = f"{left[-1].text} vs {right[0].text}"
                if pair is None:
                    claim.unheld = f"no relative pair {left[-1].ticker}/{right[0].ticker}"
                else:
                    t, bm, rev = pair
                    claim.subject, claim.benchmark = t, bm
                    if rev:
                        kind_word = "underperf" if kind_word == "outperf" else "outperf"
            elif left and left[-1].ticker:
                pairs = [p for p in self.index.universe.relative_pairs if p[0] == left[-1].ticker]
                if pairs:  # "small caps have outperformed": against the first configured benchmark
                    claim.subject, claim.benchmark = pairs[0]
                    claim.subject_text = (
                        f"{left[-1].text} (against {pairs[0][1]}, its first configured benchmark)"
                    )
                else:
                    claim.uncheckable = "the text does not say what it was compared with"
            else:
                claim.uncheckable = "the text does not say what it was compared with"
            claim.direction = 1 if kind_word == "outperf" else -1
            claim.measure = kind_word
            return [claim]

        if kind == "streak":
            n = int(g["n"])
            direction = _word_direction(g.get("dir")) or _direction_near(clause, m.start())
            # "... winning streak against large caps": a relative run
            others = [x for x in mentions if c0 <= x.start < c1 and x.ticker and x is not subj]
            rel_other = next(
                (
                    x
                    for x in others
                    if _AGAINST.search(text[c0 : x.start])
                    and x.start > (subj.start if subj else c0)
                ),
                None,
            )
            if rel_other is not None and subj is not None and subj.ticker:
                pair = benchmark_pair(self.index.universe, subj.ticker, rel_other.ticker)
                claim = self._claim(
                    "relative_run", "outperf", text, a, b, subj, value=n, unit="count"
                )
                claim.subject_text = f"{subj.text} vs {rel_other.text}"
                kind_word = "outperf" if (direction or 1) > 0 else "underperf"
                if pair is None:
                    claim.unheld = f"no relative pair {subj.ticker}/{rel_other.ticker}"
                else:
                    claim.subject, claim.benchmark, rev = pair
                    if rev:
                        kind_word = "underperf" if kind_word == "outperf" else "outperf"
                claim.measure = kind_word
                claim.direction = 1 if kind_word == "outperf" else -1
                return [claim]
            claim = self._claim("streak", "up" if (direction or 1) > 0 else "down", text, a, b, subj,
                                value=n, unit="count", direction=direction or 1)  # fmt: skip
            if direction is None:
                claim.uncheckable = "the text does not say whether the streak is up or down"
            return [claim]

        if kind == "sector":  # the number of sectors ranked
            claim = self._claim(kind, measure, text, a, b, None, value=int(g["n"]), unit="count")
            claim.subject_text = "sector ETFs"
            return [claim]

        if kind == "record_count":
            return [self._claim(kind, measure, text, a, b, subj, value=int(g["n"]), unit="count")]
        if kind == "record" and measure == "pct_from_record":
            v, dec, _ = num("n")
            out = [self._claim(kind, measure, text, a, b, subj, value=-v, unit="pct", decimals=dec,
                               comparator=comparator)]  # fmt: skip
            if g.get("n2"):
                v2, dec2, _ = num("n2")
                out.append(
                    self._claim(
                        kind,
                        "record_close",
                        text,
                        a,
                        b,
                        subj,
                        value=v2,
                        unit="level",
                        decimals=dec2,
                    )
                )
            return out
        if kind == "record":
            negated = re.search(r"\b(?:no|not|short of|shy of|below|without|failed to)\b[^,;]{0,20}$",
                                clause[: m.start()])  # fmt: skip
            return [self._claim(kind, measure, text, a, b, subj, value=not negated, unit="bool")]

        if kind == "breadth":
            out = []
            universe = "sp500_sample"
            if measure in ("advancers", "decliners") and g.get("n2"):
                v1, _, _ = num("n")
                v2, _, _ = num("n2")
                other = "decliners" if measure == "advancers" else "advancers"
                for meas, v in ((measure, v1), (other, v2)):
                    c = self._claim(kind, meas, text, a, b, None, value=v, unit="count")
                    c.subject_text = universe
                    out.append(c)
                return out
            v, dec, _ = num("n")
            unit = "percent" if measure == "pct_above_sma" else "count"
            c = self._claim(kind, measure, text, a, b, None, value=v, unit=unit, decimals=dec)
            c.subject_text = universe
            if g.get("w"):
                c.window = int(g["w"])
            return [c]

        if kind == "high_52w":
            if measure in ("is_new_high", "is_new_low"):
                return [self._claim(kind, measure, text, a, b, subj, value=True, unit="bool")]
            v, dec, _ = num("n")
            if measure == "pct_from_high":
                return [self._claim(kind, measure, text, a, b, subj, value=-v, unit="pct",
                                    decimals=dec, comparator=comparator)]  # fmt: skip
            unit = "pct" if measure == "pct_above_low" else "level"
            return [self._claim(kind, measure, text, a, b, subj, value=v, unit=unit, decimals=dec,
                                comparator=comparator)]  # fmt: skip

        if kind == "sma":
            w = int(g["w"])
            if measure == "above_sma":
                above = g["cmp"].lower() in ("above", "over")
                return [
                    self._claim(kind, measure, text, a, b, subj, value=above, unit="bool", window=w)
                ]
            v, dec, written_sign = num("n")
            if measure == "pct_vs_sma":
                # "above/below its average", or a signed distance ("close +1.12% vs it")
                cmp = g.get("cmp")
                sign = (
                    written_sign if cmp is None else 1 if cmp.lower() in ("above", "over") else -1
                )
                claims = [self._claim(kind, measure, text, a, b, subj, value=sign * v, unit="pct",
                                      decimals=dec, window=w, comparator=comparator)]  # fmt: skip
                if g.get("n2"):  # the average's level, written before the distance
                    level, level_dec, _ = num("n2")
                    claims.append(self._claim(kind, "sma", text, a, b, subj, value=level,
                                              unit="level", decimals=level_dec, window=w))  # fmt: skip
                return claims
            return [
                self._claim(
                    kind, measure, text, a, b, subj, value=v, unit="level", decimals=dec, window=w
                )
            ]

        if kind == "rsi":
            if measure == "overbought":
                word = g["cmp"].lower()
                return [self._claim(kind, "rsi_threshold", text, a, b, subj, value=70.0 if word == "overbought" else 30.0,
                                    unit="rsi", comparator=">" if word == "overbought" else "<")]  # fmt: skip
            v, dec, _ = num("n")
            if measure == "rsi_threshold":
                cmp = ">" if g["cmp"].lower() in ("above", "over") else "<"
                return [
                    self._claim(
                        kind,
                        measure,
                        text,
                        a,
                        b,
                        subj,
                        value=v,
                        unit="rsi",
                        decimals=dec,
                        comparator=cmp,
                    )
                ]
            return [
                self._claim(
                    kind,
                    measure,
                    text,
                    a,
                    b,
                    subj,
                    value=v,
                    unit="rsi",
                    decimals=dec,
                    comparator=comparator,
                )
            ]

        if kind == "volume":
            window = None
            if g.get("w"):
                window = int(g["w"])
            elif g.get("wname"):
                window = rules.VOLUME_WINDOWS.get(g["wname"].lower())
            if measure == "pct_vs_avg_sign":
                word = (g.get("cmp") or g.get("cmp2") or "").lower()
                above = word in ("above", "heavier than", "over", "heavy", "above-average")
                return [self._claim(kind, "pct_vs_avg", text, a, b, subj, value=0.0, unit="pct",
                                    comparator=">" if above else "<")]  # fmt: skip
            if measure == "rel_volume":
                v, dec, _ = num("n")
                return [
                    self._claim(
                        kind, measure, text, a, b, subj, value=v, unit="ratio", decimals=dec
                    )
                ]
            if measure == "pct_vs_avg":
                v, dec, _ = num("n")
                sign = 1 if g["cmp"].lower() in ("above", "over") else -1
                return [self._claim(kind, measure, text, a, b, subj, value=sign * v, unit="pct", decimals=dec,
                                    window=window, comparator=comparator)]  # fmt: skip
            group, mag = ("n", g.get("mag")) if g.get("n") else ("n2", g.get("mag2"))
            v, dec, _ = num(group)
            scale = rules.MAGNITUDE.get((mag or "").lower(), 1.0)
            return [self._claim(kind, measure, text, a, b, subj, value=v * scale, unit="shares",
                                decimals=dec, window=window, comparator=comparator, scale=scale)]  # fmt: skip

        if kind == "volatility":
            v, dec, _ = num("n")
            return [
                self._claim(
                    kind,
                    measure,
                    text,
                    a,
                    b,
                    subj,
                    value=v,
                    unit="pct",
                    decimals=dec,
                    comparator=comparator,
                )
            ]

        if kind in ("move_pct", "move_points"):
            v, dec, sign = num("n")
            direction = _word_direction(g.get("dir"))
            if direction is None and g["n"][:1] in "+-\u2212\u2013":
                direction = sign
            if direction is None:
                direction = _direction_near(clause, m.start()) or 1
            unit = "pct" if kind == "move_pct" else "points"
            claim = self._claim(kind, "ret_1d" if unit == "pct" else "change", text, a, b, subj,
                                value=direction * v, unit=unit, decimals=dec, comparator=comparator,
                                direction=direction)  # fmt: skip
            if period is not None:
                claim.kind = "period_return"
                claim.measure = "period_return" if unit == "pct" else "period_change"
                claim.period = period[:3]
            elif (
                subj is not None and subj.ticker and self._is_sector(subj.ticker) and unit == "pct"
            ):
                claim.kind = "sector"
                claim.measure = "ret_1d"
            return [claim]

        if kind == "level":
            raw = g["n"]
            v, dec, _ = num("n")
            if _YEAR.match(raw.lstrip("$")) and dec == 0:
                return []
            if v < 1 and dec == 0:
                return []
            level = self._claim(
                kind, measure, text, a, b, subj, value=v, unit="level", decimals=dec
            )
            if g.get("rec"):  # "closed at a record 6,978.60": a record claim too
                record = self._claim(
                    "record", "is_record_close", text, a, b, subj, value=True, unit="bool"
                )
                return [record, level]
            return [level]
        return []


def extract(text: str, session: date, index: NameIndex) -> Extraction:
    """Every claim in ``text``; ``session`` is the recap's session (for "Tuesday", "Jan 2")."""
    return _Extractor(text, session, index).run()
