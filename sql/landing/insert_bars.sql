-- Land validated bars that are new or changed. $1 source, $2 ingested_at, $3 ingest_id.
-- adj_close and dividend_factor arrive on the ticker's current basis and are stored divided
-- by its raw.adj_close_scale (the view raw.daily_bars multiplies them back).
INSERT INTO raw.daily_bars_stored
    (ticker, session_date, open, high, low, close, adj_close, volume, source, ingested_at,
     ingest_id, basis_session, split_factor, dividend_factor, delivered_volume)
SELECT w.ticker, w.session_date, w.open, w.high, w.low, w.close,
       w.adj_close / coalesce(s.scale, 1.0), w.volume, $1, $2, $3,
       w.basis_session, w.split_factor, w.dividend_factor / coalesce(s.scale, 1.0),
       w.delivered_volume
FROM incoming_writes AS w
LEFT JOIN raw.adj_close_scale AS s ON s.ticker = w.ticker;
