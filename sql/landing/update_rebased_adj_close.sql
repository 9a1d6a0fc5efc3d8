-- Bring stored bars onto a new dividend basis (incoming_rebased_dividend: bars whose split
-- factor did not change): only adj_close and the dividend factor move, so only those two
-- columns are written (DuckDB stores and checkpoints an update column by column).
UPDATE raw.daily_bars AS b
SET adj_close = r.adj_close, dividend_factor = r.dividend_factor
FROM incoming_rebased_dividend AS r
WHERE b.ticker = r.ticker AND b.session_date = r.session_date;
