-- Reference implementation of marts.daily_returns (bellwether.metrics.returns.daily_returns),
-- written from the metric definitions in plain DuckDB SQL. It is the independent oracle the
-- property tests hold the polars function against, and an engine for the benchmarks.
--
-- Input relations (registered by the caller, e.g. bellwether.reference_sql.run_reference):
--   bars(ticker, session_date, close, adj_close)   one row per ticker and session (full history)
--   sessions(session_date, session_idx)            XNYS sessions with increasing ordinals,
--                                                  covering every bar's session
--
-- Definitions (returns are fractions):
--   close[n]  the ticker's close n NYSE sessions earlier (the bar at session_idx - n); null
--             when that session has no bar (first session, a gap).
--   ret_1d = close / close[1] - 1, log_ret_1d = ln(close / close[1]); ret_5d, ret_21d, ret_52w
--   likewise with n = 5, 21, 252; tr_1d on adj_close.
--   ret_mtd = close / (last close stored before the month's first session) - 1; ret_ytd and
--   tr_ytd the same with the previous year's last stored close. No session lies between the
--   first calendar day of a month and its first session, so "before the period's first
--   session" is "before its first calendar day" (an as-of lookup, no session list needed).
-- Output: one row per bar, ordered by ticker, session_date.
WITH placed AS (
    SELECT b.ticker, b.session_date, s.session_idx, b.close, b.adj_close,
           CAST(date_trunc('month', b.session_date) AS DATE) AS month_start,
           CAST(date_trunc('year', b.session_date) AS DATE) AS year_start
    FROM bars AS b
    JOIN sessions AS s ON s.session_date = b.session_date
),
earlier AS (
    SELECT t.*,
           d1.close AS close_1, d1.adj_close AS adj_close_1,
           d5.close AS close_5, d21.close AS close_21, d252.close AS close_252
    FROM placed AS t
    LEFT JOIN placed AS d1 ON d1.ticker = t.ticker AND d1.session_idx = t.session_idx - 1
    LEFT JOIN placed AS d5 ON d5.ticker = t.ticker AND d5.session_idx = t.session_idx - 5
    LEFT JOIN placed AS d21 ON d21.ticker = t.ticker AND d21.session_idx = t.session_idx - 21
    LEFT JOIN placed AS d252 ON d252.ticker = t.ticker AND d252.session_idx = t.session_idx - 252
),
month_base AS (
    SELECT e.ticker, e.session_date, m.close AS month_base_close
    FROM earlier AS e
    ASOF LEFT JOIN placed AS m ON m.ticker = e.ticker AND e.month_start > m.session_date
),
year_base AS (
    SELECT e.ticker, e.session_date, y.close AS year_base_close, y.adj_close AS year_base_adj_close
    FROM earlier AS e
    ASOF LEFT JOIN placed AS y ON y.ticker = e.ticker AND e.year_start > y.session_date
)
SELECT
    e.ticker,
    e.session_date,
    e.close,
    e.close / e.close_1 - 1 AS ret_1d,
    ln(e.close / e.close_1) AS log_ret_1d,
    e.close / e.close_5 - 1 AS ret_5d,
    e.close / e.close_21 - 1 AS ret_21d,
    e.close / mb.month_base_close - 1 AS ret_mtd,
    e.close / yb.year_base_close - 1 AS ret_ytd,
    e.close / e.close_252 - 1 AS ret_52w,
    e.adj_close,
    e.adj_close / e.adj_close_1 - 1 AS tr_1d,
    e.adj_close / yb.year_base_adj_close - 1 AS tr_ytd
FROM earlier AS e
JOIN month_base AS mb ON mb.ticker = e.ticker AND mb.session_date = e.session_date
JOIN year_base AS yb ON yb.ticker = e.ticker AND yb.session_date = e.session_date
ORDER BY e.ticker, e.session_date
