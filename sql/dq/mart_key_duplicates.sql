-- Duplicate keys per session in marts tables over $1..$2 (should be none).
SELECT 'marts/daily_returns' AS asset, session_date, ticker AS key FROM marts.daily_returns WHERE session_date BETWEEN $1 AND $2 GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'marts/streaks', session_date, ticker FROM marts.streaks WHERE session_date BETWEEN $1 AND $2 GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'marts/technicals', session_date, ticker FROM marts.technicals WHERE session_date BETWEEN $1 AND $2 GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'marts/relative_performance', session_date, ticker || '/' || benchmark FROM marts.relative_performance WHERE session_date BETWEEN $1 AND $2 GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'marts/sector_performance', session_date, ticker FROM marts.sector_performance WHERE session_date BETWEEN $1 AND $2 GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'marts/breadth', session_date, universe FROM marts.breadth WHERE session_date BETWEEN $1 AND $2 GROUP BY ALL HAVING count(*) > 1;
