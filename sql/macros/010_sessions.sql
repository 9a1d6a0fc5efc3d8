-- Public SQL macros, part 1: the schema `bw` and NYSE session helpers.
--
-- Every public macro lives in the schema `bw` (Bellwether) and is called schema-qualified:
--     SELECT bw.session_before(DATE '2025-12-05');              -- 2025-12-04
--     SELECT bw.period_return('SPY', '2025-01-01', '2025-12-31', 'close');
--     FROM bw.streak_runs(DATE '2025-12-05') WHERE ticker = '^GSPC';
-- Macros are created with CREATE OR REPLACE on every writable connection (see
-- bellwether/warehouse.py), so the files in sql/macros are their single definition.
-- Names starting with an underscore (bw._*) are internal building blocks, not part of the
-- interface. Date arguments are cast with ::DATE, so DATE values and ISO strings both work.
--
-- The interface (definitions beside each macro):
--   010_sessions.sql  bw.session_before(d), bw.session_on_or_before(d),
--                     bw.session_on_or_after(d), bw.session_after(d), bw.is_session(d)
--   020_prices.sql    bw.close_on(ticker, d), bw.open_on(ticker, d),
--                     bw.last_bar_before(ticker, d),
--                     bw.is_above_average(price, average),
--                     bw.period_return(ticker, start_date, end_date, basis)   -- 'close' | 'open'
--                     FROM bw.period_returns(start_date, end_date)
--   030_runs.sql      FROM bw.streak_runs(on_date), FROM bw.relative_runs(on_date),
--                     bw.streak_length(ticker, on_date, kind),               -- 'up' | 'down'
--                     bw.longest_streak_since(ticker, on_date, kind),
--                     bw.relative_run_length(ticker, benchmark, on_date, kind),  -- 'outperf' | 'underperf'
--                     bw.longest_relative_run_since(ticker, benchmark, on_date, kind)
-- An unknown basis or kind is an error, never a number; a missing bar gives NULL.
--
-- Session helpers read raw.trading_sessions (every XNYS session from 1990 to the end of the
-- exchange calendar); they return NULL outside that range.
CREATE SCHEMA IF NOT EXISTS bw;

-- bw.session_before(d) -> DATE: the last NYSE session strictly before d.
CREATE OR REPLACE MACRO bw.session_before(d) AS (
    SELECT max(_bw_s.session_date)
    FROM raw.trading_sessions AS _bw_s
    WHERE _bw_s.session_date < d::DATE
);

-- bw.session_on_or_before(d) -> DATE: d if it is a session, else the last session before it.
CREATE OR REPLACE MACRO bw.session_on_or_before(d) AS (
    SELECT max(_bw_s.session_date)
    FROM raw.trading_sessions AS _bw_s
    WHERE _bw_s.session_date <= d::DATE
);

-- bw.session_on_or_after(d) -> DATE: d if it is a session, else the first session after it.
CREATE OR REPLACE MACRO bw.session_on_or_after(d) AS (
    SELECT min(_bw_s.session_date)
    FROM raw.trading_sessions AS _bw_s
    WHERE _bw_s.session_date >= d::DATE
);

-- bw.session_after(d) -> DATE: the first NYSE session strictly after d.
CREATE OR REPLACE MACRO bw.session_after(d) AS (
    SELECT min(_bw_s.session_date)
    FROM raw.trading_sessions AS _bw_s
    WHERE _bw_s.session_date > d::DATE
);

-- bw.is_session(d) -> BOOLEAN: whether d is an NYSE session.
CREATE OR REPLACE MACRO bw.is_session(d) AS EXISTS (
    SELECT 1
    FROM raw.trading_sessions AS _bw_s
    WHERE _bw_s.session_date = d::DATE
);
