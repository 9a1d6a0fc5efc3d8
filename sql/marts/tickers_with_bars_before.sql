-- Which of the tickers in $2 have a stored bar before $1 (a history the build would have to
-- continue from, when they have no seed row).
SELECT DISTINCT ticker
FROM raw.daily_bars_stored
WHERE session_date < $1
  AND ticker IN (SELECT unnest($2::VARCHAR[]));
