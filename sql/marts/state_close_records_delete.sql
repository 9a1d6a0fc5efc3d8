-- Delete the stored marts.close_records rows of sessions $1..$2 (of the tickers in $3 when
-- not NULL): a build replaces them.
DELETE FROM marts.close_records
WHERE session_date BETWEEN $1 AND $2
  AND ($3::VARCHAR[] IS NULL OR ticker IN (SELECT unnest($3::VARCHAR[])));
