-- Every stored bar of the tickers in $1, with its basis and the factors applied to it.
SELECT ticker, session_date, open, high, low, close, adj_close, volume,
       coalesce(basis_session, session_date) AS basis_session,
       coalesce(split_factor, 1.0) AS split_factor,
       coalesce(dividend_factor, 1.0) AS dividend_factor,
       delivered_volume
FROM raw.daily_bars
WHERE ticker IN (SELECT unnest($1::VARCHAR[]));
