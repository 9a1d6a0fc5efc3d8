-- Land corporate actions; a re-delivered (ticker, ex_date, action) replaces the stored one.
-- $1 source, $2 ingested_at, $3 ingest_id.
INSERT OR REPLACE INTO raw.corporate_actions (ticker, ex_date, action, value, source, ingested_at, ingest_id)
SELECT ticker, ex_date, action, value, $1, $2, $3
FROM incoming_actions;
