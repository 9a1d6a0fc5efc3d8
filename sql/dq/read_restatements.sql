-- Restatements detected by ingest $1.
SELECT ticker, session_date, old_close, new_close, old_adj_close, new_adj_close
FROM raw.restatements WHERE ingest_id = $1;
