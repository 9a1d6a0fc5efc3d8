-- For each key of state_keys and kind, the last stored session before $1 whose run of
-- that kind has length 1 (the start of a run that continues into a build whose seed row
-- does not say it).
SELECT s.ticker, s.benchmark, s.kind, max(s.session_date) AS run_start
FROM marts.relative_since AS s
WHERE s.session_date < $1 AND s.run_length = 1
  AND (s.ticker, s.benchmark) IN (SELECT (ticker, benchmark) FROM state_keys)
GROUP BY ALL;
