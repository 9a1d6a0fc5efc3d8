-- Public SQL macros, part 2: bar lookups and period returns (schema `bw`, see 010_sessions.sql).
--
-- Prices are raw.daily_bars' as-traded open/close (split-adjusted, not dividend-adjusted),
-- so a period return is a price return, like the marts' ret_* columns. Returns are
-- fractions (0.01 = 1%).
--
-- DuckDB refuses a macro parameter that has the name of a column in the macro's FROM
-- clause, so the macros that read tables take `sym`/`day` (the bw._* building blocks) and
-- the public macros with a `ticker` parameter are thin wrappers over them.

CREATE OR REPLACE MACRO bw._close_on(sym, day) AS (
    SELECT _bw_b.close
    FROM raw.daily_bars AS _bw_b
    WHERE _bw_b.ticker = sym AND _bw_b.session_date = day::DATE
);

CREATE OR REPLACE MACRO bw._open_on(sym, day) AS (
    SELECT _bw_b.open
    FROM raw.daily_bars AS _bw_b
    WHERE _bw_b.ticker = sym AND _bw_b.session_date = day::DATE
);

CREATE OR REPLACE MACRO bw._last_bar_before(sym, day) AS (
    SELECT max(_bw_b.session_date)
    FROM raw.daily_bars AS _bw_b
    WHERE _bw_b.ticker = sym AND _bw_b.session_date < day::DATE
);

-- bw.close_on(ticker, d) -> DOUBLE: the ticker's close on session d (NULL without a bar).
CREATE OR REPLACE MACRO bw.close_on(ticker, d) AS bw._close_on(ticker, d);

-- bw.open_on(ticker, d) -> DOUBLE: the ticker's open on session d (NULL without a bar).
CREATE OR REPLACE MACRO bw.open_on(ticker, d) AS bw._open_on(ticker, d);

-- bw.last_bar_before(ticker, d) -> DATE: the ticker's last stored session strictly before d.
CREATE OR REPLACE MACRO bw.last_bar_before(ticker, d) AS bw._last_bar_before(ticker, d);

-- bw.is_above_average(price, average) -> BOOLEAN: the price is above the average by more
--   than one part in a billion of it (price - average > 1e-9 * |average|); NULL when
--   either is NULL. The rule of every "above its N-day average" figure (marts.breadth's
--   pct_above_sma_N, the named queries): an average is a sum of rounded numbers, so a price
--   equal to its average (a stock that closed at the same price over the whole window)
--   comes out a few units of the 17th digit above or below it depending on the order of
--   the summation; such a price is not above its average in any engine.
CREATE OR REPLACE MACRO bw.is_above_average(price, average) AS
    price - average > 1e-9 * abs(average);

-- bw.period_return(ticker, start_date, end_date, basis) -> DOUBLE (a fraction)
--   basis 'close': from the close of the ticker's last stored session BEFORE start_date to
--     the close of the last NYSE session on or before end_date. This is the base rule of
--     marts.daily_returns' ret_mtd/ret_ytd, so period_return(t, '2025-01-01', d, 'close')
--     is the year-to-date return on session d.
--   basis 'open': from the open of the first NYSE session on or after start_date to the
--     close of the last NYSE session on or before end_date (the "since the open" figure
--     many recaps quote; a one-session period gives the open-to-close move).
--   NULL when a needed bar is missing (no stored bar before start_date; no bar on the end
--     session, e.g. a ticker whose data stops earlier; no bar on the first session for
--     'open'), and when no NYSE session lies in start_date..end_date (incl. end < start).
--   Any basis other than exactly 'close' or 'open' (including NULL) is an ERROR
--     ("bw.period_return: basis must be 'close' or 'open' ..."), never a number.
CREATE OR REPLACE MACRO bw.period_return(ticker, start_date, end_date, basis) AS CASE
    WHEN basis IS NULL OR basis NOT IN ('close', 'open') THEN error(
        'bw.period_return: basis must be ''close'' or ''open'', got '
        || coalesce('''' || basis::VARCHAR || '''', 'NULL')
    )
    WHEN NOT coalesce(bw.session_on_or_after(start_date) <= bw.session_on_or_before(end_date), false)
        THEN NULL
    WHEN basis = 'close' THEN
        bw._close_on(ticker, bw.session_on_or_before(end_date))
        / bw._close_on(ticker, bw._last_bar_before(ticker, start_date)) - 1
    ELSE
        bw._close_on(ticker, bw.session_on_or_before(end_date))
        / bw._open_on(ticker, bw.session_on_or_after(start_date)) - 1
END;

-- FROM bw.period_returns(start_date, end_date): the same figures for every stored ticker,
-- both bases, with the sessions and prices they come from. One row per (ticker, basis):
--   ticker         VARCHAR
--   basis          VARCHAR  'close' or 'open' (definitions as for bw.period_return)
--   from_session   DATE     'close': the ticker's last stored session before start_date;
--                           'open': the first NYSE session on or after start_date
--   from_price     DOUBLE   close (or open) of from_session; NULL without a bar there
--   to_session     DATE     the last NYSE session on or before end_date
--   to_price       DOUBLE   close of to_session; NULL without a bar there
--   period_return  DOUBLE   to_price / from_price - 1; NULL as for bw.period_return
-- bw.period_return(t, s, e, b) equals period_return of the row (t, b) here.
-- The 'close' base is read from marts.period_bases (the last bar before each month, kept
-- by the daily_returns build) and the bars of start_date's month, not from every stored
-- bar: the stored tickers are those with a period base, i.e. whose bars the daily_returns
-- mart has been built over.
CREATE OR REPLACE MACRO bw.period_returns(start_date, end_date) AS TABLE
WITH _bw_window AS (
    SELECT
        bw.session_on_or_after(start_date) AS first_session,
        bw.session_on_or_before(end_date) AS last_session,
        date_trunc('month', start_date::DATE)::DATE AS month_start
),
_bw_cover AS (
    -- the last month the stored period bases reach (the month after the last built session)
    SELECT max(_bw_p.period_start) AS last_month FROM marts.period_bases AS _bw_p
),
_bw_tickers AS (
    -- every ticker with a stored bar has a base in the last month covered
    SELECT _bw_p.ticker
    FROM marts.period_bases AS _bw_p
    WHERE _bw_p.period_start = (SELECT last_month FROM _bw_cover)
),
_bw_base_month AS (
    SELECT least(_bw_w.month_start, _bw_c.last_month) AS period_start
    FROM _bw_window AS _bw_w CROSS JOIN _bw_cover AS _bw_c
),
_bw_month_base AS (
    -- the last bar before the month of start_date (or before the last month covered);
    -- a join on the month, not a comparison with a subquery: the scan then reads the
    -- month's rows only
    SELECT _bw_p.ticker, _bw_p.base_session, _bw_p.base_close
    FROM marts.period_bases AS _bw_p
    JOIN _bw_base_month AS _bw_at ON _bw_at.period_start = _bw_p.period_start
),
_bw_in_month AS (
    -- the last bar from the month's first day up to start_date, when there is one
    SELECT
        _bw_b.ticker,
        max(_bw_b.session_date) AS base_session,
        arg_max(_bw_b.close, _bw_b.session_date) AS base_close
    FROM raw.daily_bars AS _bw_b
    WHERE _bw_b.session_date >= (SELECT month_start FROM _bw_window)
        AND _bw_b.session_date < start_date::DATE
    GROUP BY _bw_b.ticker
),
_bw_first AS (
    SELECT _bw_b.ticker, _bw_b.open
    FROM raw.daily_bars AS _bw_b
    WHERE _bw_b.session_date = (SELECT first_session FROM _bw_window)
),
_bw_last AS (
    SELECT _bw_b.ticker, _bw_b.close
    FROM raw.daily_bars AS _bw_b
    WHERE _bw_b.session_date = (SELECT last_session FROM _bw_window)
),
_bw_legs AS (
    SELECT
        _bw_t.ticker,
        coalesce(_bw_m.base_session, _bw_mb.base_session) AS base_session,
        CASE WHEN _bw_m.base_session IS NOT NULL THEN _bw_m.base_close ELSE _bw_mb.base_close END
            AS base_close,
        _bw_f.open AS first_open,
        _bw_l.close AS last_close
    FROM _bw_tickers AS _bw_t
    LEFT JOIN _bw_in_month AS _bw_m ON _bw_m.ticker = _bw_t.ticker
    LEFT JOIN _bw_month_base AS _bw_mb ON _bw_mb.ticker = _bw_t.ticker
    LEFT JOIN _bw_first AS _bw_f ON _bw_f.ticker = _bw_t.ticker
    LEFT JOIN _bw_last AS _bw_l ON _bw_l.ticker = _bw_t.ticker
),
_bw_rows AS (
    SELECT
        _bw_l.ticker,
        _bw_k.basis,
        CASE _bw_k.basis WHEN 'close' THEN _bw_l.base_session ELSE _bw_w.first_session END
            AS from_session,
        CASE _bw_k.basis WHEN 'close' THEN _bw_l.base_close ELSE _bw_l.first_open END
            AS from_price,
        _bw_w.last_session AS to_session,
        _bw_l.last_close AS to_price,
        coalesce(_bw_w.first_session <= _bw_w.last_session, false) AS has_session
    FROM _bw_legs AS _bw_l
    CROSS JOIN _bw_window AS _bw_w
    CROSS JOIN (VALUES ('close'), ('open')) AS _bw_k(basis)
)
SELECT
    ticker,
    basis,
    from_session,
    from_price,
    to_session,
    to_price,
    CASE WHEN has_session THEN to_price / from_price - 1 END AS period_return
FROM _bw_rows
ORDER BY ticker, basis;
