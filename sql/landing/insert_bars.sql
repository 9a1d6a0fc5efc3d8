-- Land validated bars. $1 source, $2 ingested_at, $3 ingest_id.
INSERT INTO raw.daily_bars
    (ticker, session_date, open, high, low, close, adj_close, volume, source, ingested_at, ingest_id)
SELECT ticker, session_date, open, high, low, close, adj_close, volume, $1, $2, $3
FROM incoming_bars;
