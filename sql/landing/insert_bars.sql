-- Land validated bars that are new or changed. $1 source, $2 ingested_at, $3 ingest_id.
INSERT INTO raw.daily_bars
    (ticker, session_date, open, high, low, close, adj_close, volume, source, ingested_at,
     ingest_id, basis_session, split_factor, dividend_factor, delivered_volume)
SELECT ticker, session_date, open, high, low, close, adj_close, volume, $1, $2, $3,
       basis_session, split_factor, dividend_factor, delivered_volume
FROM incoming_writes;
