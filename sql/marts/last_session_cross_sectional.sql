-- The last stored session of the cross-sectional mart $mart (NULL when it is empty).
SELECT max(session_date) AS last_session FROM marts.breadth WHERE $mart = 'breadth'
UNION ALL
SELECT max(session_date) FROM marts.sector_performance WHERE $mart = 'sector_performance'
ORDER BY last_session NULLS LAST
LIMIT 1;
