-- What the Dagster UI shows of a partitioned table's size: the rows of table $1
-- ('schema.table') on each session $2..$3 (one row per session that has rows), and the
-- table's total over every session (the row whose session_date is NULL). ONE grouped query
-- for every table an asset writes: raw/daily_bars, the marts and quality/check_results.
WITH table_rows AS (
    SELECT 'raw.daily_bars' AS table_name, session_date FROM raw.daily_bars_stored
    UNION ALL SELECT 'marts.daily_returns', session_date FROM marts.daily_returns_stored
    UNION ALL SELECT 'marts.streaks', session_date FROM marts.streaks
    UNION ALL SELECT 'marts.technicals', session_date FROM marts.technicals
    UNION ALL SELECT 'marts.relative_performance', session_date FROM marts.relative_performance
    UNION ALL SELECT 'marts.sector_performance', session_date FROM marts.sector_performance
    UNION ALL SELECT 'marts.breadth', session_date FROM marts.breadth
    UNION ALL SELECT 'dq.check_results', session_date FROM dq.check_results
)
SELECT session_date, count(*) AS row_count
FROM table_rows
WHERE table_name = $1
GROUP BY GROUPING SETS ((session_date), ())
HAVING GROUPING(session_date) = 1 OR session_date BETWEEN $2 AND $3
ORDER BY session_date NULLS LAST;
