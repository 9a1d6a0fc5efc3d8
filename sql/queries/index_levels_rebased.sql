-- Question: How has each member of a universe moved since the start of the year, as a line
--   rebased to 100 at the previous year's last close (the chart of a market brief)?
--
-- Parameters:
--   $as_of     DATE     the day asked about; resolved to the last NYSE session on or before it
--   $universe  VARCHAR  a universe of raw.universe_members, e.g. 'indices'
--
-- Columns:
--   ticker        VARCHAR  the member
--   session_date  DATE     a session of the year, up to the resolved session
--   close         DOUBLE   its close
--   rebased       DOUBLE   100 * (1 + ret_ytd): 100 = the previous year's last close
--
-- Notes: from marts.daily_returns; members without a previous-year close have no rows.
WITH asked AS (
    SELECT bw.session_on_or_before($as_of::DATE) AS session_date
),
year_sessions AS (
    -- the year's sessions up to the resolved one (joined on, so that the scan of
    -- marts.daily_returns reads those sessions only)
    SELECT s.session_date
    FROM raw.trading_sessions AS s
    WHERE s.session_date BETWEEN date_trunc('year', (SELECT session_date FROM asked)) AND (SELECT session_date FROM asked)
)
SELECT r.ticker, r.session_date, r.close, 100 * (1 + r.ret_ytd) AS rebased
FROM marts.daily_returns AS r
JOIN year_sessions AS y ON y.session_date = r.session_date
JOIN bw.members_on($universe, (SELECT session_date FROM asked)) AS u ON u.ticker = r.ticker
WHERE r.ret_ytd IS NOT NULL
ORDER BY r.ticker, r.session_date;
