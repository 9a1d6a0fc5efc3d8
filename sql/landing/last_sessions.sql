-- Each of the tickers in $1 with its last stored session, among its bars on or after $2
-- (every bar when $2 is NULL): a ticker without a bar from $2 on has no row. From a recent
-- $2 the read skips the older row groups, and a ticker's last session is the same whenever
-- it has a bar from $2 on.
SELECT ticker, max(session_date) AS last_session
FROM raw.daily_bars_stored
WHERE ticker IN (SELECT unnest($1::VARCHAR[]))
  AND ($2::DATE IS NULL OR session_date >= $2::DATE)
GROUP BY ticker;
