-- Bars on sessions $1..$2 with each instrument's kind (for the raw checks).
SELECT b.ticker, b.session_date, b.open, b.high, b.low, b.close, b.adj_close, b.volume,
       coalesce(i.kind, 'stock') AS kind
FROM raw.daily_bars AS b
LEFT JOIN raw.instruments AS i USING (ticker)
WHERE b.session_date BETWEEN $1 AND $2
ORDER BY b.session_date, b.ticker;
