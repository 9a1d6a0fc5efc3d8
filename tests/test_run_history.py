"""The run history (bellwether.metrics.run_history): its answers equal a scan of the rows,
and a build continued from seeds equals one over the whole history."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from bellwether.calendar import sessions_between
from bellwether.metrics.period_state import close_records, months_between, period_bases
from bellwether.metrics.run_history import last_end_per_length, run_ends, since_rows

SESSIONS = sessions_between(date(2025, 1, 2), date(2025, 12, 31))
KINDS = {"up": "up_streak", "down": "down_streak"}
BY = ["ticker"]


def _rows(directions: list[int | None], ticker: str = "A") -> pl.DataFrame:
    """Streak rows of one ticker from daily directions (+1, -1, 0; None: no stored row)."""
    out, up, down = [], 0, 0
    for session, d in zip(SESSIONS, directions, strict=False):
        if d is None:
            up = down = 0
            continue
        up, down = (up + 1 if d == 1 else 0), (down + 1 if d == -1 else 0)
        out.append((ticker, session, up, down))
    return pl.DataFrame(
        out,
        schema={"ticker": pl.String, "session_date": pl.Date, "up_streak": pl.Int32,
                "down_streak": pl.Int32},
        orient="row",
    )  # fmt: skip


def _scan(rows: pl.DataFrame) -> dict[date, tuple]:
    """The answers by definition, from a scan of every earlier row."""
    out = {}
    hist = rows.sort("session_date").to_dicts()
    for i, r in enumerate(hist):
        kind = "up" if r["up_streak"] > 0 else "down" if r["down_streak"] > 0 else None
        if kind is None:
            out[r["session_date"]] = (None, None, None, None, None)
            continue
        col = KINDS[kind]
        length = r[col]
        upto = hist[: i + 1]
        start = max((h["session_date"] for h in upto if h[col] == 1), default=None)
        at_least = [h for h in hist[:i] if h[col] >= length]
        longer = [h for h in hist[:i] if h[col] > length]
        out[r["session_date"]] = (
            start,
            at_least[-1]["session_date"] if at_least else None,
            at_least[-1][col] if at_least else None,
            longer[-1]["session_date"] if longer else None,
            longer[-1][col] if longer else None,
        )
    return out


def _answers(since: pl.DataFrame) -> dict[date, tuple]:
    return {
        r["session_date"]: (r["run_start"], r["longest_since"], r["longest_since_length"],
                            r["last_longer_session"], r["last_longer_length"])
        for r in since.to_dicts()
    }  # fmt: skip


def test_a_hand_checked_history():
    # up 1, up 2, up 3, down 1, up 1, up 2, (no row), up... restarts at 0
    rows = _rows([0, 1, 1, 1, -1, 1, 1, None, 0, 1, 1, 1, 1])
    ends = run_ends(rows, BY, KINDS)
    assert ends.select("kind", "run_end", "run_length").rows() == [
        ("down", SESSIONS[4], 1),
        ("up", SESSIONS[3], 3),
        ("up", SESSIONS[6], 2),  # its next session has no stored row
        ("up", SESSIONS[12], 4),  # the last row counts until a later build continues it
    ]
    since = since_rows(rows, BY, KINDS, ends)
    by_day = _answers(since)
    # the up run of 2 on session 6 was last matched by the run of 3 ending on session 3
    assert by_day[SESSIONS[6]] == (SESSIONS[5], SESSIONS[3], 3, SESSIONS[3], 3)
    # a run of 3 on session 11: the run ending on session 3 was exactly as long, none longer
    assert by_day[SESSIONS[11]] == (SESSIONS[9], SESSIONS[3], 3, None, None)
    # a run of 4: the longest in the stored history
    assert by_day[SESSIONS[12]] == (SESSIONS[9], None, None, None, None)
    assert since["history_start"].unique().to_list() == [SESSIONS[0]]


directions = st.lists(st.sampled_from([1, 1, -1, -1, 0, None]), min_size=2, max_size=80)


@settings(max_examples=60, deadline=None)
@given(directions=directions, cut=st.integers(1, 79))
def test_the_answers_equal_a_scan_and_a_continued_build_equals_one_build(directions, cut):
    rows = pl.concat([_rows(directions, "A"), _rows(directions[::-1], "B")])
    whole = since_rows(rows, BY, KINDS, run_ends(rows, BY, KINDS))
    for ticker in ("A", "B"):
        mine = rows.filter(pl.col("ticker") == ticker)
        assert _answers(whole.filter(pl.col("ticker") == ticker)) == _scan(mine)

    # continued from seeds at a cut session, as a build of the sessions from the cut on
    first = SESSIONS[min(cut, len(directions) - 1)]
    before, after = (
        rows.filter(pl.col("session_date") < first),
        rows.filter(pl.col("session_date") >= first),
    )
    stored_ends = run_ends(rows, BY, KINDS)  # ends before the cut depend on the row after
    seed_ends = last_end_per_length(stored_ends.filter(pl.col("run_end") < first), BY)
    here = stored_ends.filter(pl.col("run_end") >= first)
    prev = whole.filter(pl.col("session_date") < first).sort("session_date")
    prev = prev.group_by("ticker").last()
    seed_start = prev.filter(pl.col("kind").is_not_null()).select("ticker", "kind", "run_start")
    # the previous row's run start seeds only a run that continues from it; others need
    # the last length-1 session before the cut (what the build looks up when missing)
    continued = since_rows(
        after, BY, KINDS, pl.concat([seed_ends.select(here.columns), here]),
        seed_run_start=seed_start,
        seed_history_start=before.group_by("ticker").agg(
            pl.col("session_date").min().alias("history_start")
        ),
    )  # fmt: skip
    # what the build looks up when the seed row does not give a run's start: the last
    # session before the cut with length 1 of the kind
    ones = pl.concat(
        [before.filter(pl.col(col) == 1).select("ticker", "session_date", pl.lit(k).alias("kind"))
         for k, col in KINDS.items()]
    ).group_by("ticker", "kind").agg(pl.col("session_date").max().alias("_found"))  # fmt: skip
    continued = (
        continued.join(ones, on=["ticker", "kind"], how="left")
        .with_columns(pl.col("run_start").fill_null(pl.col("_found")))
        .drop("_found")
    )
    assert continued.equals(whole.filter(pl.col("session_date") >= first))


@settings(max_examples=40, deadline=None)
@given(
    closes=st.lists(st.one_of(st.none(), st.integers(90, 110)), min_size=1, max_size=60),
    cut=st.integers(0, 59),
)
def test_period_bases_and_close_records_continued_equal_one_build(closes, cut):
    days = SESSIONS[::4][: len(closes)]  # a bar every 4th session spans several months
    bars = pl.DataFrame(
        [("A", d, float(c)) for d, c in zip(days, closes, strict=False) if c is not None],
        schema={"ticker": pl.String, "session_date": pl.Date, "close": pl.Float64},
        orient="row",
    )
    if bars.is_empty():
        return
    end = date(2026, 1, 1)
    months = months_between(bars["session_date"].min(), end)
    whole = period_bases(bars, months)
    for m, base_session, base_close in whole.select(
        "period_start", "base_session", "base_close"
    ).rows():
        before = bars.filter(pl.col("session_date") < m)
        assert base_session == before["session_date"].max()
        assert base_close == before.sort("session_date")["close"][-1]
    # continued from the base of the month of a cut day
    first = days[min(cut, len(days) - 1)]
    m0 = first.replace(day=1)
    seed = whole.filter(pl.col("period_start") == m0).select("ticker", "base_session", "base_close")
    part = period_bases(bars.filter(pl.col("session_date") >= m0), months_between(m0, end), seed)
    assert part.equals(whole.filter(pl.col("period_start") > m0))

    rows = bars.with_columns(pl.lit(False).alias("is_record_close"))
    records = close_records(rows)
    top = rows["close"].cum_max()
    expected = [i == 0 or rows["close"][i] > top[i - 1] for i in range(rows.height)]
    assert records["session_date"].to_list() == [
        d for d, e in zip(rows["session_date"], expected, strict=True) if e
    ]
    prior = rows.filter(pl.col("session_date") < first)
    cont = close_records(
        rows.filter(pl.col("session_date") >= first),
        prior.group_by("ticker").agg(pl.col("close").max().alias("prior_max")),
    )
    assert cont.equals(records.filter(pl.col("session_date") >= first))


def _staircase(ends: pl.DataFrame, by: list[str]) -> dict:
    """Per (key, kind) and length L: the last end with a run at least L long (what a build
    asks of the earlier runs)."""
    out = {}
    for L in range(1, int(ends["run_length"].max() or 0) + 2):
        hit = (
            ends.filter(pl.col("run_length") >= L)
            .group_by(*by, "kind")
            .agg(pl.col("run_end").max())
        )
        for row in hit.iter_rows():
            out[(*row[:-1], L)] = row[-1]
    return out


@settings(max_examples=40, deadline=None)
@given(
    runs=st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),
            st.sampled_from(["up", "down"]),
            st.integers(0, len(SESSIONS) - 1),
            st.integers(1, 12),
        ),
        max_size=60,
    ),
    before=st.integers(1, len(SESSIONS) - 1),
    recent=st.integers(0, 400),
    scoped=st.booleans(),
    asked=st.dictionaries(
        st.tuples(st.sampled_from(["A", "B", "C"]), st.sampled_from(["up", "down"])),
        st.integers(1, 14),
    ),
)
def test_the_earlier_run_ends_a_build_reads_answer_as_every_stored_end_would(
    runs, before, recent, scoped, asked
):
    """The earlier run ends a build reads (:func:`bellwether.run_state.earlier_ends`): every
    recent one, and of the older ones only those of the keys and kinds that ask about a run
    longer than their longest recent one; what the build asks of them (the last run at least
    L long, for every L up to the longest it asks about) equals the answer from every stored
    end before the build, for any recent bound, also for keys without a recent run, every
    key or some."""
    from datetime import timedelta

    import duckdb

    from bellwether.run_state import STREAK_HISTORY, earlier_ends

    ends = pl.DataFrame(
        [(t, k, SESSIONS[i], n) for t, k, i, n in runs],
        schema={"ticker": pl.String, "kind": pl.String, "run_end": pl.Date,
                "run_length": pl.Int32},
        orient="row",
    ).unique(["ticker", "kind", "run_end"])  # fmt: skip
    lo = SESSIONS[before]
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.streak_history AS SELECT * FROM ends")
    con.execute("CREATE TABLE state_keys AS SELECT 'A' AS ticker UNION ALL SELECT 'C'")
    needs = pl.DataFrame(
        [(t, k, n) for (t, k), n in asked.items() if not scoped or t in ("A", "C")],
        schema={"ticker": pl.String, "kind": pl.String, "needed": pl.Int32},
        orient="row",
    )
    got = earlier_ends(con, STREAK_HISTORY, lo, not scoped, needs, lo - timedelta(days=recent))
    want = ends.filter(pl.col("run_end") < lo)
    if scoped:
        want = want.filter(pl.col("ticker").is_in(["A", "C"]))

    def answers(found: pl.DataFrame) -> dict:
        return {
            k: v for k, v in _staircase(found, ["ticker"]).items() if k[-1] <= asked.get(k[:2], 0)
        }

    assert answers(got) == answers(want)
