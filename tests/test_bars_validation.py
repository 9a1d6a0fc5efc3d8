"""Hard row validation: every bad row is rejected with its reason, nothing is dropped."""

from datetime import date

import polars as pl

from bellwether.bars import BAR_SCHEMA, REJECT_SCHEMA, validate_bars


def bar(
    ticker="SPY",
    d=date(2025, 6, 2),
    o=100.0,
    h=101.0,
    lo=99.0,
    c=100.5,
    adj=100.4,
    v=1000.0,
    err=None,
):
    return {
        "ticker": ticker, "session_date": d, "open": o, "high": h, "low": lo, "close": c,
        "adj_close": adj, "volume": v, "parse_error": err,
    }  # fmt: skip


def run(rows, now, symbols=("SPY", "^RUT")):
    df = pl.DataFrame(rows, schema_overrides={"volume": pl.Float64, "parse_error": pl.String})
    return validate_bars(df, symbols=symbols, now=now)


def reasons(result):
    return result.rejected["reason"].to_list()


def test_clean_rows_land_with_integer_volume(now):
    out = run([bar(), bar(ticker="^RUT", v=None)], now)
    assert out.rejected.height == 0
    assert out.good.schema == pl.Schema(BAR_SCHEMA)
    assert out.good["ticker"].to_list() == ["SPY", "^RUT"]  # sorted by session, then ticker
    assert out.good["volume"].to_list() == [1000, None]


def test_each_failure_mode_has_its_own_reason(now):
    rows = [
        bar(ticker="spy"),
        bar(ticker="QQQ"),
        bar(d=None, err="unparseable date: '2025-13-01'"),
        bar(d=date(2025, 6, 7)),  # Saturday
        bar(d=date(2025, 6, 19)),  # Juneteenth
        bar(d=date(2026, 11, 23)),  # after `now`
        bar(d=date(2025, 6, 9), c=-1.0),
        bar(d=date(2025, 6, 10), o=float("nan")),
        bar(d=date(2025, 6, 11), adj=0.0),
        bar(d=date(2025, 6, 3), lo=100.2),  # low above open (100.0)
        bar(d=date(2025, 6, 4), h=100.2),  # high below close (100.5)
        bar(d=date(2025, 6, 5), v=-5.0),
        bar(d=date(2025, 6, 6), v=10.5),
    ]
    out = run(rows, now)
    assert out.good.height == 0
    got = reasons(out)
    assert got[0] == "invalid symbol"
    assert got[1] == "symbol not requested"
    assert got[2].startswith("unparseable date: '2025-13-01'")
    assert "missing or unparseable date" in got[2]
    assert got[3] == "not an XNYS session"
    assert got[4] == "not an XNYS session"
    assert "session not closed at ingest" in got[5]
    assert got[6] == "close is not a finite positive number"
    assert got[7] == "open is not a finite positive number"
    assert got[8] == "adj_close is not a finite positive number"
    assert got[9] == "low above min(open, close)"
    assert got[10] == "high below max(open, close)"
    assert got[11] == "volume is negative or not finite"
    assert got[12] == "volume is not a whole number"
    assert out.rejected.schema == pl.Schema(REJECT_SCHEMA)


def test_ohlc_rules_allow_float32_noise_within_1e6(now):
    out = run([bar(o=100.0, lo=100.00005, c=100.5)], now)  # low above open by 5e-7 relative
    assert out.rejected.height == 0


def test_duplicates_identical_keep_one_conflicting_reject_all(now):
    same = [bar(), bar()]
    out = run(same, now)
    assert out.good.height == 1 and reasons(out) == ["duplicate row"]
    conflict = [bar(c=100.5), bar(c=100.6)]
    out = run(conflict, now)
    assert out.good.height == 0
    assert reasons(out) == ["conflicting duplicate rows for (ticker, session_date)"] * 2


def test_several_reasons_are_all_reported(now):
    out = run([bar(c=-1.0, v=-1.0)], now)
    assert reasons(out) == [
        "close is not a finite positive number; volume is negative or not finite"
    ]


def test_landing_and_the_gx_suite_judge_the_same_price_rules(now):
    """One row breaks each rule of PRICE_RULES: landing rejects it with the rule's message,
    and the GX suite, built from the same list, fails ``gx_price_sanity`` on the same rows."""
    from bellwether.bars import PRICE_RULES
    from checks import gx_suite

    breaking = {
        "AAA": (bar("AAA", o=0.0), "open is not a finite positive number"),
        "BBB": (bar("BBB", h=-1.0), "high is not a finite positive number"),
        "CCC": (bar("CCC", lo=float("nan")), "low is not a finite positive number"),
        "DDD": (bar("DDD", c=0.0), "close is not a finite positive number"),
        "EEE": (bar("EEE", adj=-2.0), "adj_close is not a finite positive number"),
        "FFF": (bar("FFF", lo=100.2), "low above min(open, close)"),
        "GGG": (bar("GGG", h=100.2), "high below max(open, close)"),
        "HHH": (bar("HHH", o=100.0, c=100.0, h=99.0, lo=101.0), "low above high"),
        "III": (bar("III", v=-5.0), "volume is negative or not finite"),
    }
    assert {message for _, message in breaking.values()} == {r.message for r in PRICE_RULES}
    rows = [row for row, _ in breaking.values()] + [bar()]
    out = run(rows, now, symbols=[*breaking, "SPY"])
    assert out.good["ticker"].to_list() == ["SPY"]
    for ticker, reason in zip(out.rejected["ticker"], reasons(out), strict=True):
        assert breaking[ticker][1] in reason.split("; "), (ticker, reason)

    frame = pl.DataFrame(rows, schema_overrides={"volume": pl.Float64}).drop("parse_error")
    frame = frame.with_columns(pl.col("volume").cast(pl.Int64))
    gx = gx_suite.validate_bars(frame, [date(2025, 6, 2)], publish=False)
    (price,) = [o for o in gx.outcomes if o.check == gx_suite.PRICE_SANITY]
    assert not price.passed and sorted(price.failing_tickers) == sorted(breaking)
    assert all(o.passed for o in gx.outcomes if o.check != gx_suite.PRICE_SANITY)


def test_gx_preloaded_in_the_background_is_built_once_and_used_by_the_validation(monkeypatch):
    """A run starts GX's import in a background thread (``gx_suite.preload``); the
    validation waits for that context instead of building its own, and a second preload
    (a later chunk, the next step) starts nothing."""
    import threading

    from checks import gx_suite

    monkeypatch.setattr(gx_suite, "_GX_BUILT", None)  # as in a new process
    built, go = [], threading.Event()
    real_build = gx_suite._build_gx

    def slow_build():  # still importing when the validation starts
        go.wait(timeout=30)
        built.append(1)
        return real_build()

    monkeypatch.setattr(gx_suite, "_build_gx", slow_build)
    gx_suite.preload()
    preloading = [t for t in threading.enumerate() if t.name == "gx-preload"]
    assert len(preloading) == 1
    threading.Timer(0.5, go.set).start()  # the validation below waits for the preload
    frame = pl.DataFrame([bar()], schema_overrides={"volume": pl.Float64}).drop("parse_error")
    result = gx_suite.validate_bars(
        frame.with_columns(pl.col("volume").cast(pl.Int64)), [date(2025, 6, 2)], publish=False
    )
    assert result.success and built == [1]
    preloading[0].join(timeout=60)
    gx_suite.preload()
    assert not [t for t in threading.enumerate() if t.name == "gx-preload"]
    assert built == [1]
