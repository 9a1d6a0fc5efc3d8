-- Each ticker's highest close strictly before $1 (seed for record closes); only the
-- tickers in $2 when not NULL.
SELECT ticker, max(close) AS prior_max_close
FROM raw.daily_bars
WHERE session_date < $1
  AND ($2::VARCHAR[] IS NULL OR ticker IN (SELECT unnest($2::VARCHAR[])))
GROUP BY ticker;
