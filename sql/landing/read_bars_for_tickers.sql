-- Every stored bar of the tickers in $1 (from session $2 on; every one when $2 is NULL),
-- with its basis and the factors applied to it. From a recent $2 (the last stored bars of
-- tickers whose re-basing is a scale, bellwether/landing.py) the read skips the older row
-- groups.
SELECT ticker, session_date, open, high, low, close, adj_close, volume,
       coalesce(basis_session, session_date) AS basis_session,
       coalesce(split_factor, 1.0) AS split_factor,
       coalesce(dividend_factor, 1.0) AS dividend_factor,
       delivered_volume
FROM raw.daily_bars
WHERE ticker IN (SELECT unnest($1::VARCHAR[]))
  AND ($2::DATE IS NULL OR session_date >= $2::DATE);
