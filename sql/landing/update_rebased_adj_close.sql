-- Bring stored bars onto a new dividend basis (incoming_rebased_dividend: bars whose split
-- factor did not change): only adj_close and the dividend factor move, so only those two
-- columns are written (DuckDB stores and checkpoints an update column by column), divided
-- by the ticker's raw.adj_close_scale as every stored adj_close is.
UPDATE raw.daily_bars_stored AS b
SET adj_close = r.adj_close / coalesce(s.scale, 1.0),
    dividend_factor = r.dividend_factor / coalesce(s.scale, 1.0)
FROM incoming_rebased_dividend AS r
LEFT JOIN raw.adj_close_scale AS s ON s.ticker = r.ticker
WHERE b.ticker = r.ticker AND b.session_date = r.session_date;
