-- The stored bars of the tickers in $1 from session $2 on, with their basis and the factors
-- applied to them (the columns of read_bars_for_tickers): the last stored bars of tickers
-- whose re-basing is a scale (bellwether/landing.py). From a recent $2 the read skips the
-- older row groups.
SELECT ticker, session_date, open, high, low, close, adj_close, volume,
       coalesce(basis_session, session_date) AS basis_session,
       coalesce(split_factor, 1.0) AS split_factor,
       coalesce(dividend_factor, 1.0) AS dividend_factor,
       delivered_volume
FROM raw.daily_bars
WHERE ticker IN (SELECT unnest($1::VARCHAR[]))
  AND session_date >= $2::DATE;
