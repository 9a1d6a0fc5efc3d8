-- For each incoming bar (incoming_bars, already on the basis of every known action): the
-- columns whose value differs from the stored bar (every column for a new bar), and
-- whether its basis factors differ. A bar with neither is a no-op and is not rewritten.
SELECT i.ticker, i.session_date,
       CASE WHEN b.ticker IS NULL
            THEN ['open', 'high', 'low', 'close', 'adj_close', 'volume']
            ELSE list_filter([
                CASE WHEN i.open IS DISTINCT FROM b.open THEN 'open' END,
                CASE WHEN i.high IS DISTINCT FROM b.high THEN 'high' END,
                CASE WHEN i.low IS DISTINCT FROM b.low THEN 'low' END,
                CASE WHEN i.close IS DISTINCT FROM b.close THEN 'close' END,
                CASE WHEN i.adj_close IS DISTINCT FROM b.adj_close THEN 'adj_close' END,
                CASE WHEN i.volume IS DISTINCT FROM b.volume THEN 'volume' END
            ], lambda x: x IS NOT NULL)
       END AS changed_columns,
       b.ticker IS NOT NULL
         AND (i.split_factor IS DISTINCT FROM coalesce(b.split_factor, 1.0)
              OR i.dividend_factor IS DISTINCT FROM coalesce(b.dividend_factor, 1.0)) AS factors_changed
FROM incoming_bars AS i
LEFT JOIN raw.daily_bars AS b ON b.ticker = i.ticker AND b.session_date = i.session_date;
