-- Bring stored bars onto a new split basis (incoming_rebased: their new values and factors);
-- their source, ingest id, landing time and basis_session stay those of the delivery (only
-- the columns a split moves are set: DuckDB's checkpoint rewrites every column an update
-- sets, in every row group the ticker's bars lie in).
UPDATE raw.daily_bars AS b
SET open = r.open, high = r.high, low = r.low, close = r.close, adj_close = r.adj_close,
    volume = r.volume, split_factor = r.split_factor, dividend_factor = r.dividend_factor,
    delivered_volume = r.delivered_volume
FROM incoming_rebased AS r
WHERE b.ticker = r.ticker AND b.session_date = r.session_date;
