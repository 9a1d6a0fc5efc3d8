-- Stored marts.technicals rows of sessions $1..$2 (of the tickers in $3 when not NULL):
-- what the close records are computed from.
SELECT ticker, session_date, close, is_record_close
FROM marts.technicals
WHERE session_date BETWEEN $1 AND $2
  AND ($3::VARCHAR[] IS NULL OR ticker IN (SELECT unnest($3::VARCHAR[])));
