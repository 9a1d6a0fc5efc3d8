-- What the Dagster UI shows of a partitioned table's size: the rows of table $table
-- ('schema.table') on each session $first..$last (one row per session that has rows), and the
-- table's total over every session (the row whose session_date is NULL). ONE query for
-- every table an asset writes: raw/daily_bars, the marts and quality/check_results. Each
-- branch reads its table only when $table names it: the sessions through the scan's session
-- filter (the row groups of $first..$last), the total as a bare count(*), which DuckDB answers
-- from the table's row counts (grouping every session of the table to keep one grew with
-- history: 60 ms a call at 3,000 stocks x 25 years, 3 ms now).
SELECT session_date, count(*) AS row_count FROM raw.daily_bars_stored
WHERE $table = 'raw.daily_bars' AND session_date BETWEEN $first AND $last GROUP BY session_date
UNION ALL
SELECT session_date, count(*) FROM marts.daily_returns_stored
WHERE $table = 'marts.daily_returns' AND session_date BETWEEN $first AND $last GROUP BY session_date
UNION ALL
SELECT session_date, count(*) FROM marts.streaks
WHERE $table = 'marts.streaks' AND session_date BETWEEN $first AND $last GROUP BY session_date
UNION ALL
SELECT session_date, count(*) FROM marts.technicals
WHERE $table = 'marts.technicals' AND session_date BETWEEN $first AND $last GROUP BY session_date
UNION ALL
SELECT session_date, count(*) FROM marts.relative_performance
WHERE $table = 'marts.relative_performance' AND session_date BETWEEN $first AND $last GROUP BY session_date
UNION ALL
SELECT session_date, count(*) FROM marts.sector_performance
WHERE $table = 'marts.sector_performance' AND session_date BETWEEN $first AND $last GROUP BY session_date
UNION ALL
SELECT session_date, count(*) FROM marts.breadth
WHERE $table = 'marts.breadth' AND session_date BETWEEN $first AND $last GROUP BY session_date
UNION ALL
SELECT session_date, count(*) FROM dq.check_results
WHERE $table = 'dq.check_results' AND session_date BETWEEN $first AND $last GROUP BY session_date
UNION ALL
SELECT NULL::DATE, (SELECT count(*) FROM raw.daily_bars_stored) WHERE $table = 'raw.daily_bars'
UNION ALL
SELECT NULL::DATE, (SELECT count(*) FROM marts.daily_returns_stored)
WHERE $table = 'marts.daily_returns'
UNION ALL
SELECT NULL::DATE, (SELECT count(*) FROM marts.streaks) WHERE $table = 'marts.streaks'
UNION ALL
SELECT NULL::DATE, (SELECT count(*) FROM marts.technicals) WHERE $table = 'marts.technicals'
UNION ALL
SELECT NULL::DATE, (SELECT count(*) FROM marts.relative_performance)
WHERE $table = 'marts.relative_performance'
UNION ALL
SELECT NULL::DATE, (SELECT count(*) FROM marts.sector_performance)
WHERE $table = 'marts.sector_performance'
UNION ALL
SELECT NULL::DATE, (SELECT count(*) FROM marts.breadth) WHERE $table = 'marts.breadth'
UNION ALL
SELECT NULL::DATE, (SELECT count(*) FROM dq.check_results) WHERE $table = 'dq.check_results'
ORDER BY session_date NULLS LAST;
