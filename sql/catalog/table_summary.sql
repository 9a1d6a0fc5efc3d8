-- Rows, distinct sessions and covered span of the main warehouse tables.
SELECT 'raw.daily_bars' AS table_name, count(*), count(DISTINCT session_date), min(session_date), max(session_date) FROM raw.daily_bars_stored
UNION ALL SELECT 'raw.rejected_bars', count(*), count(DISTINCT session_date), min(session_date), max(session_date) FROM raw.rejected_bars
UNION ALL SELECT 'raw.corporate_actions', count(*), count(DISTINCT ex_date), min(ex_date), max(ex_date) FROM raw.corporate_actions
UNION ALL SELECT 'marts.daily_returns', count(*), count(DISTINCT session_date), min(session_date), max(session_date) FROM marts.daily_returns_stored
UNION ALL SELECT 'marts.streaks', count(*), count(DISTINCT session_date), min(session_date), max(session_date) FROM marts.streaks
UNION ALL SELECT 'marts.technicals', count(*), count(DISTINCT session_date), min(session_date), max(session_date) FROM marts.technicals
UNION ALL SELECT 'marts.relative_performance', count(*), count(DISTINCT session_date), min(session_date), max(session_date) FROM marts.relative_performance
UNION ALL SELECT 'marts.sector_performance', count(*), count(DISTINCT session_date), min(session_date), max(session_date) FROM marts.sector_performance
UNION ALL SELECT 'marts.breadth', count(*), count(DISTINCT session_date), min(session_date), max(session_date) FROM marts.breadth;
