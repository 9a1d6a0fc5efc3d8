-- The stored results of the row-naming mart checks $checks of the mart asset $asset on
-- $first..$last: what a scoped check (checks/run.py) merges its tickers' results into.
SELECT r.session_date, r."check", r.failing_tickers
FROM dq.check_results AS r
WHERE r.asset = $asset AND r."check" IN (SELECT unnest($checks::VARCHAR[]))
  AND r.session_date BETWEEN $first AND $last;
