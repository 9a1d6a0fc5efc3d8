-- For each incoming bar (incoming_bars, already on the basis of every known action): the
-- columns whose value differs from the stored bar (every column for a new bar), and
-- whether its basis factors differ. A bar with neither is a no-op and is not rewritten.
-- adj_close and dividend_factor are read through the ticker's raw.adj_close_scale
-- (stored / scale x scale), which can move a value by its last bit: they differ when they
-- are more than $1 apart relative to the stored value. $2..$3: the incoming sessions' span.
WITH stored AS (
    -- the stored bars of the incoming sessions' span ($2..$3), a filter DuckDB takes into
    -- the scan (the join alone read every stored session's rows: 0.12 s at 25 years)
    SELECT * FROM raw.daily_bars WHERE session_date BETWEEN $2 AND $3
)
SELECT i.ticker, i.session_date,
       CASE WHEN b.ticker IS NULL
            THEN ['open', 'high', 'low', 'close', 'adj_close', 'volume']
            ELSE list_filter([
                CASE WHEN i.open IS DISTINCT FROM b.open THEN 'open' END,
                CASE WHEN i.high IS DISTINCT FROM b.high THEN 'high' END,
                CASE WHEN i.low IS DISTINCT FROM b.low THEN 'low' END,
                CASE WHEN i.close IS DISTINCT FROM b.close THEN 'close' END,
                CASE WHEN abs(i.adj_close - b.adj_close) > $1 * abs(b.adj_close)
                     THEN 'adj_close' END,
                CASE WHEN i.volume IS DISTINCT FROM b.volume THEN 'volume' END
            ], lambda x: x IS NOT NULL)
       END AS changed_columns,
       b.ticker IS NOT NULL
         AND (i.split_factor IS DISTINCT FROM coalesce(b.split_factor, 1.0)
              OR abs(i.dividend_factor - coalesce(b.dividend_factor, 1.0))
                 > $1 * abs(coalesce(b.dividend_factor, 1.0))) AS factors_changed
FROM incoming_bars AS i
LEFT JOIN stored AS b ON b.ticker = i.ticker AND b.session_date = i.session_date;
