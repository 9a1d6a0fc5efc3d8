-- The tickers of $2 with a stored marts.technicals row before $1 (and their highest stored
-- close there): tickers whose close records were never built for that history.
SELECT ticker, max(close) AS prior_max
FROM marts.technicals
WHERE session_date < $1 AND ticker IN (SELECT unnest($2::VARCHAR[]))
GROUP BY ticker;
