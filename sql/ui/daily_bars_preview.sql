-- The Dagster UI's preview of raw/daily_bars: the bars of session $1, indices first, then
-- ETFs, then stocks (each by ticker), at most $2 rows; bars_in_session counts them all.
SELECT b.ticker, b.session_date, b.open, b.high, b.low, b.close, b.adj_close, b.volume, b.source,
       count(*) OVER () AS bars_in_session
FROM raw.daily_bars AS b
LEFT JOIN raw.instruments AS i ON i.ticker = b.ticker
WHERE b.session_date = $1
ORDER BY CASE i.kind WHEN 'index' THEN 0 WHEN 'etf' THEN 1 ELSE 2 END, b.ticker
LIMIT $2;
