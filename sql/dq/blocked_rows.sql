-- (session, ticker) pairs withheld from per-ticker marts on sessions $1..$2: tickers named
-- by a failed blocking row-level check of raw/daily_bars.
SELECT DISTINCT r.session_date, unnest(r.failing_tickers) AS ticker
FROM dq.check_results AS r
WHERE r.asset = 'raw/daily_bars' AND NOT r.passed AND r.severity = 'error' AND r.scope = 'row'
  AND r.session_date BETWEEN $1 AND $2;
