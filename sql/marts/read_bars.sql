-- Bars of every ticker (or of the tickers in $3, when not NULL) on sessions $1..$2, with
-- each ticker's published price precision. Unordered: the metrics place bars on the
-- session panel, which sorts them (an ORDER BY here cost ~8 s per read of 19M bars).
SELECT b.ticker, b.session_date, b.open, b.high, b.low, b.close, b.adj_close, b.volume,
       coalesce(i.price_decimals, 4) AS price_decimals
FROM raw.daily_bars AS b
LEFT JOIN raw.instruments AS i USING (ticker)
WHERE b.session_date BETWEEN $1 AND $2
  AND ($3::VARCHAR[] IS NULL OR b.ticker IN (SELECT unnest($3::VARCHAR[])));
