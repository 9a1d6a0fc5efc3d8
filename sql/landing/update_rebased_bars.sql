-- Bring stored bars onto a new split basis (incoming_rebased: their new values and factors);
-- their source, ingest id and landing time stay those of the delivery.
UPDATE raw.daily_bars AS b
SET open = r.open, high = r.high, low = r.low, close = r.close, adj_close = r.adj_close,
    volume = r.volume, split_factor = r.split_factor, dividend_factor = r.dividend_factor,
    basis_session = r.basis_session, delivered_volume = r.delivered_volume
FROM incoming_rebased AS r
WHERE b.ticker = r.ticker AND b.session_date = r.session_date;
