-- The last stored session of the mart $mart (NULL when it is empty). One branch per mart,
-- each filtered on $mart, so that only the named mart's table is read.
SELECT max(session_date) AS last_session FROM marts.daily_returns_stored WHERE $mart = 'daily_returns'
UNION ALL
SELECT max(session_date) FROM marts.streaks WHERE $mart = 'streaks'
UNION ALL
SELECT max(session_date) FROM marts.technicals WHERE $mart = 'technicals'
UNION ALL
SELECT max(session_date) FROM marts.relative_performance WHERE $mart = 'relative_performance'
UNION ALL
SELECT max(session_date) FROM marts.sector_performance WHERE $mart = 'sector_performance'
UNION ALL
SELECT max(session_date) FROM marts.breadth WHERE $mart = 'breadth'
ORDER BY last_session NULLS LAST
LIMIT 1;
