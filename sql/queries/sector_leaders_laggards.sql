-- Question: Which sectors led and which lagged on a date, ranked by the day's return?
--
-- Parameters:
--   $as_of  DATE  the day asked about; resolved to the last NYSE session on or before it
--
-- Columns:
--   session_date      DATE     the resolved session
--   rank_1d           INTEGER  rank by ret_1d among the sector ETFs with a return (1 = best; ties share the better rank); NULL without a return
--   sector            VARCHAR  GICS sector
--   ticker            VARCHAR  the sector's SPDR ETF
--   role              VARCHAR  'leader' (rank 1), 'laggard' (the worst rank) or NULL
--   ret_1d            DOUBLE   the ETF's return on session_date
--   spy_ret_1d        DOUBLE   SPY's return on session_date
--   excess_ret_1d     DOUBLE   ret_1d - spy_ret_1d
--   ret_ytd           DOUBLE   year-to-date price return from the last close of the previous year (marts.sector_performance)
--   sector_count      INTEGER  sector ETFs ranked on session_date
--
-- Notes: one row per sector ETF with a bar on the session (the bundled sector data ends on
--   2026-02-05: later sessions give no rows), ordered by rank_1d then ticker, unranked last.
--   ret_1d, ret_ytd, ranks and sector_count come from marts.sector_performance (ret_ytd:
--   the ETF's marts.daily_returns.ret_ytd, bw.period_return's close basis from Jan 1).
WITH asked AS (
    SELECT bw.session_on_or_before($as_of::DATE) AS session_date
),
spy AS (
    SELECT d.ret_1d
    FROM marts.daily_returns AS d
    WHERE d.ticker = 'SPY' AND d.session_date = (SELECT session_date FROM asked)
)
SELECT
    s.session_date,
    s.rank_1d,
    s.sector,
    s.ticker,
    CASE
        WHEN s.rank_1d = 1 THEN 'leader'
        WHEN s.rank_1d = max(s.rank_1d) OVER () THEN 'laggard'
    END AS role,
    s.ret_1d,
    (SELECT ret_1d FROM spy) AS spy_ret_1d,
    s.ret_1d - (SELECT ret_1d FROM spy) AS excess_ret_1d,
    s.ret_ytd,
    s.sector_count
FROM marts.sector_performance AS s
WHERE s.session_date = (SELECT session_date FROM asked)
ORDER BY s.rank_1d NULLS LAST, s.ticker;
