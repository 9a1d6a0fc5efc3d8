-- marts.daily_returns rows on sessions $1..$2 (of the tickers in $3 when not NULL).
SELECT * FROM marts.daily_returns
WHERE session_date BETWEEN $1 AND $2
  AND ($3::VARCHAR[] IS NULL OR ticker IN (SELECT unnest($3::VARCHAR[])));
