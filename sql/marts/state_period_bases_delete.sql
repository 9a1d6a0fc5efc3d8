-- Delete the stored marts.period_bases rows of the months starting $1..$2 (of the tickers
-- in $3 when not NULL): a build replaces them.
DELETE FROM marts.period_bases
WHERE period_start BETWEEN $1 AND $2
  AND ($3::VARCHAR[] IS NULL OR ticker IN (SELECT unnest($3::VARCHAR[])));
