-- Stored marts.period_bases rows of the month starting $1 (of the tickers in $2 when not
-- NULL): each ticker's last stored bar before it, the seed a build of later months
-- continues from.
SELECT ticker, base_session, base_close
FROM marts.period_bases
WHERE period_start = $1
  AND ($2::VARCHAR[] IS NULL OR ticker IN (SELECT unnest($2::VARCHAR[])));
