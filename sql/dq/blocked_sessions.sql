-- Sessions $1..$2 with any failed blocking (severity 'error') check of raw/daily_bars, and
-- whether an integrity check (schema, unique key) is among them. Cross-sectional marts
-- (breadth, sector performance) withhold every such session; per-ticker marts withhold a
-- whole session only for an integrity failure, otherwise just the named rows.
SELECT session_date,
       string_agg("check", ', ' ORDER BY "check") AS checks,
       bool_or("check" IN ('gx_schema', 'gx_unique_key')) AS integrity
FROM dq.check_results
WHERE asset = 'raw/daily_bars' AND NOT passed AND severity = 'error'
  AND session_date BETWEEN $1 AND $2
GROUP BY session_date;
