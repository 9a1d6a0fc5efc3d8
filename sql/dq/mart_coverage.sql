-- Per session $first..$last: the bars landed and not withheld by failed blocking checks,
-- and those of them missing from the per-ticker mart asset $asset (every landed bar not
-- withheld must have a row). Only the table $asset names is read. $tickers (NULL: every
-- ticker) limits both sides to those tickers' bars and rows (a scoped check,
-- checks/run.py).
WITH withheld AS (
    SELECT DISTINCT r.session_date, unnest(r.failing_tickers) AS ticker
    FROM dq.check_results AS r
    WHERE r.asset = 'raw/daily_bars' AND NOT r.passed AND r.severity = 'error' AND r.scope = 'row'
      AND r.session_date BETWEEN $first AND $last
), expected AS (
    SELECT b.session_date, b.ticker
    FROM raw.daily_bars_stored AS b
    ANTI JOIN withheld AS w ON w.session_date = b.session_date AND w.ticker = b.ticker
    WHERE b.session_date BETWEEN $first AND $last
      AND ($tickers::VARCHAR[] IS NULL OR b.ticker IN (SELECT unnest($tickers::VARCHAR[])))
), mart_rows AS (
    SELECT ticker, session_date FROM marts.daily_returns_stored
    WHERE $asset = 'marts/daily_returns' AND session_date BETWEEN $first AND $last
      AND ($tickers::VARCHAR[] IS NULL OR ticker IN (SELECT unnest($tickers::VARCHAR[])))
    UNION ALL
    SELECT ticker, session_date FROM marts.streaks
    WHERE $asset = 'marts/streaks' AND session_date BETWEEN $first AND $last
      AND ($tickers::VARCHAR[] IS NULL OR ticker IN (SELECT unnest($tickers::VARCHAR[])))
    UNION ALL
    SELECT ticker, session_date FROM marts.technicals
    WHERE $asset = 'marts/technicals' AND session_date BETWEEN $first AND $last
      AND ($tickers::VARCHAR[] IS NULL OR ticker IN (SELECT unnest($tickers::VARCHAR[])))
)
SELECT e.session_date,
       count(*) AS expected_rows,
       count(m.ticker) AS mart_rows,
       list(e.ticker ORDER BY e.ticker) FILTER (WHERE m.ticker IS NULL) AS missing
FROM expected AS e
LEFT JOIN mart_rows AS m ON m.ticker = e.ticker AND m.session_date = e.session_date
GROUP BY e.session_date;
