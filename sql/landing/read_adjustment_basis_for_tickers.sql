-- Every stored bar of the tickers in $1, with the columns a dividend re-basing reads and
-- writes (the close before each ex-date, adj_close, the basis and the factors applied): the
-- columns of read_bars_for_tickers, with open, high, low, volume and delivered_volume left
-- NULL, for tickers whose effective splits did not change (their prices and volume stay as
-- stored).
SELECT ticker, session_date,
       NULL::DOUBLE AS open, NULL::DOUBLE AS high, NULL::DOUBLE AS low,
       close, adj_close, NULL::BIGINT AS volume,
       coalesce(basis_session, session_date) AS basis_session,
       coalesce(split_factor, 1.0) AS split_factor,
       coalesce(dividend_factor, 1.0) AS dividend_factor,
       NULL::BIGINT AS delivered_volume
FROM raw.daily_bars
WHERE ticker IN (SELECT unnest($1::VARCHAR[]));
