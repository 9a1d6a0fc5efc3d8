-- Each ticker's highest close strictly before $1 (seed for record closes).
SELECT ticker, max(close) AS prior_max_close
FROM raw.daily_bars
WHERE session_date < $1
GROUP BY ticker;
