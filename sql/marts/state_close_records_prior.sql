-- Each ticker's highest stored close before $1 from marts.close_records (of the tickers
-- in $2 when not NULL): the seed of a build of the close records from $1.
SELECT ticker, max(close) AS prior_max
FROM marts.close_records
WHERE session_date < $1
  AND ($2::VARCHAR[] IS NULL OR ticker IN (SELECT unnest($2::VARCHAR[])))
GROUP BY ticker;
