-- Each mart's last stored session (NULL for an empty mart).
SELECT 'daily_returns' AS mart, max(session_date) AS last_session FROM marts.daily_returns
UNION ALL SELECT 'streaks', max(session_date) FROM marts.streaks
UNION ALL SELECT 'technicals', max(session_date) FROM marts.technicals
UNION ALL SELECT 'relative_performance', max(session_date) FROM marts.relative_performance
UNION ALL SELECT 'sector_performance', max(session_date) FROM marts.sector_performance
UNION ALL SELECT 'breadth', max(session_date) FROM marts.breadth;
