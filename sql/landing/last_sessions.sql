-- Each of the tickers in $1 with its last stored session.
SELECT ticker, max(session_date) AS last_session
FROM raw.daily_bars
WHERE ticker IN (SELECT unnest($1::VARCHAR[]))
GROUP BY ticker;
