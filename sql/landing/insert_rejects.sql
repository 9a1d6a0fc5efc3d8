-- Keep every rejected row with its reasons. $1 source, $2 ingest_id, $3 run_id, $4 rejected_at.
INSERT INTO raw.rejected_bars
    (ticker, session_date, open, high, low, close, adj_close, volume, reason, source, ingest_id, run_id, rejected_at)
SELECT ticker, session_date, open, high, low, close, adj_close, volume, reason, $1, $2, $3, $4
FROM incoming_rejects;
