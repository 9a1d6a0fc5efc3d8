-- Per session $1..$2: the bars landed, the bars withheld by failed blocking checks, and the
-- tickers missing from each per-ticker mart (every landed bar not withheld must have a row).
WITH withheld AS (
    SELECT DISTINCT r.session_date, unnest(r.failing_tickers) AS ticker
    FROM dq.check_results AS r
    WHERE r.asset = 'raw/daily_bars' AND NOT r.passed AND r.severity = 'error' AND r.scope = 'row'
      AND r.session_date BETWEEN $1 AND $2
), expected AS (
    SELECT b.session_date, b.ticker
    FROM raw.daily_bars AS b
    ANTI JOIN withheld AS w ON w.session_date = b.session_date AND w.ticker = b.ticker
    WHERE b.session_date BETWEEN $1 AND $2
)
SELECT e.session_date,
       count(*) AS expected_rows,
       count(r.ticker) AS returns_rows,
       count(s.ticker) AS streaks_rows,
       count(t.ticker) AS technicals_rows,
       list(e.ticker ORDER BY e.ticker) FILTER (WHERE r.ticker IS NULL) AS "marts/daily_returns",
       list(e.ticker ORDER BY e.ticker) FILTER (WHERE s.ticker IS NULL) AS "marts/streaks",
       list(e.ticker ORDER BY e.ticker) FILTER (WHERE t.ticker IS NULL) AS "marts/technicals"
FROM expected AS e
LEFT JOIN marts.daily_returns AS r ON r.ticker = e.ticker AND r.session_date = e.session_date
LEFT JOIN marts.streaks AS s ON s.ticker = e.ticker AND s.session_date = e.session_date
LEFT JOIN marts.technicals AS t ON t.ticker = e.ticker AND t.session_date = e.session_date
GROUP BY e.session_date;
