-- Stored marts.daily_returns rows of sessions $1..$2 (of the tickers in $3 when not NULL): what a
-- build compares its rows with, to write only what changed.
SELECT * FROM marts.daily_returns
WHERE session_date BETWEEN $1 AND $2
  AND ($3::VARCHAR[] IS NULL OR ticker IN (SELECT unnest($3::VARCHAR[])));
