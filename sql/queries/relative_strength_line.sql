-- Question: What does the relative-strength line of a ticker against a benchmark look like
--   over the sessions up to a date (price ratio, and the outperformance runs)?
--
-- Parameters:
--   $as_of      DATE     the day asked about; resolved to the last NYSE session on or before it
--   $ticker     VARCHAR  the ticker, e.g. '^RUT'
--   $benchmark  VARCHAR  its benchmark, e.g. '^GSPC'
--   $sessions   INTEGER  how many sessions back from the resolved session
--
-- Columns:
--   session_date      DATE     a session
--   price_ratio       DOUBLE   close / benchmark close
--   excess_ret_1d     DOUBLE   ret_1d - benchmark ret_1d (fraction)
--   outperf_streak    INTEGER  consecutive outperformance sessions ending on the session
--   underperf_streak  INTEGER  consecutive underperformance sessions ending on the session
--
-- Notes: from marts.relative_performance, oldest first.
WITH asked AS (
    SELECT bw.session_on_or_before($as_of::DATE) AS session_date
)
SELECT session_date, price_ratio, excess_ret_1d, outperf_streak, underperf_streak
FROM (
    SELECT *
    FROM marts.relative_performance
    WHERE ticker = $ticker AND benchmark = $benchmark
      AND session_date <= (SELECT session_date FROM asked)
    ORDER BY session_date DESC
    LIMIT $sessions
) AS latest
ORDER BY session_date;
