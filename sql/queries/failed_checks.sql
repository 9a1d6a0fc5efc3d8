-- Question: Which sessions failed which data-quality check, and why?
--
-- Parameters:
--   $start_date  DATE  first session to look at (inclusive)
--   $end_date    DATE  last session to look at (inclusive)
--
-- Columns:
--   session_date     DATE       the session
--   asset            VARCHAR    the checked asset (raw/daily_bars, marts/...)
--   check            VARCHAR    the check's name (docs/QUALITY.md)
--   severity         VARCHAR    'error' (blocking: the named rows or the session are withheld
--                               from the marts) or 'warn'
--   scope            VARCHAR    'row' (failing_tickers are the rows) or 'session'
--   message          VARCHAR    what failed, naming the rows
--   observed         VARCHAR    the observed value
--   expected         VARCHAR    the threshold or expected value
--   failing_tickers  VARCHAR[]  the tickers concerned
--   run_id           VARCHAR    the Dagster run that checked it
--   checked_at       TIMESTAMPTZ when
--
-- Notes: one row per failed (session, asset, check), errors first, from dq.check_results.
SELECT session_date, asset, "check", severity, scope, message, observed, expected,
       failing_tickers, run_id, checked_at
FROM dq.check_results
WHERE NOT passed AND session_date BETWEEN $start_date AND $end_date
ORDER BY session_date, severity = 'warn', asset, "check";
