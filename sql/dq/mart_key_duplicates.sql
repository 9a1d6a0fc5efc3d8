-- Duplicate keys per session of the mart asset $asset over $first..$last (should be
-- none). Each branch reads its table only when $asset names it. $tickers (NULL: every
-- ticker) limits the per-ticker marts to those tickers' rows (a scoped check,
-- checks/run.py); pair and session marts are always read whole.
SELECT 'marts/daily_returns' AS asset, session_date, ticker AS key FROM marts.daily_returns_stored WHERE $asset = 'marts/daily_returns' AND session_date BETWEEN $first AND $last AND ($tickers::VARCHAR[] IS NULL OR ticker IN (SELECT unnest($tickers::VARCHAR[]))) GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'marts/streaks', session_date, ticker FROM marts.streaks WHERE $asset = 'marts/streaks' AND session_date BETWEEN $first AND $last AND ($tickers::VARCHAR[] IS NULL OR ticker IN (SELECT unnest($tickers::VARCHAR[]))) GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'marts/technicals', session_date, ticker FROM marts.technicals WHERE $asset = 'marts/technicals' AND session_date BETWEEN $first AND $last AND ($tickers::VARCHAR[] IS NULL OR ticker IN (SELECT unnest($tickers::VARCHAR[]))) GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'marts/relative_performance', session_date, ticker || '/' || benchmark FROM marts.relative_performance WHERE $asset = 'marts/relative_performance' AND session_date BETWEEN $first AND $last GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'marts/sector_performance', session_date, ticker FROM marts.sector_performance WHERE $asset = 'marts/sector_performance' AND session_date BETWEEN $first AND $last GROUP BY ALL HAVING count(*) > 1
UNION ALL SELECT 'marts/breadth', session_date, universe FROM marts.breadth WHERE $asset = 'marts/breadth' AND session_date BETWEEN $first AND $last GROUP BY ALL HAVING count(*) > 1;
