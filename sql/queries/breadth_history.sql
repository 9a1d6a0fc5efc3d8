-- Question: How has breadth evolved over the sessions up to a date (A/D line, McClellan
--   oscillator, share of members above their 20- and 50-day averages)?
--
-- Parameters:
--   $as_of     DATE     the day asked about; resolved to the last NYSE session on or before it
--   $universe  VARCHAR  a breadth universe, e.g. 'sp500_sample'
--   $sessions  INTEGER  how many sessions back from the resolved session
--
-- Columns:
--   session_date      DATE     a session with breadth
--   ad_line           BIGINT   cumulative net advances
--   mcclellan_osc     DOUBLE   EMA19 - EMA39 of net advances
--   pct_above_sma_20  DOUBLE   percent of members above their 20-day average
--   pct_above_sma_50  DOUBLE   percent of members above their 50-day average
--
-- Notes: from marts.breadth, oldest first; sessions withheld by the quality gate are absent.
WITH asked AS (
    SELECT bw.session_on_or_before($as_of::DATE) AS session_date
)
SELECT session_date, ad_line, mcclellan_osc, pct_above_sma_20, pct_above_sma_50
FROM (
    SELECT *
    FROM marts.breadth
    WHERE universe = $universe AND session_date <= (SELECT session_date FROM asked)
    ORDER BY session_date DESC
    LIMIT $sessions
) AS latest
ORDER BY session_date;
