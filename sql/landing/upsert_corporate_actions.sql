-- Land new or revised corporate actions (incoming_actions); a re-delivered
-- (ticker, ex_date, action) replaces the stored one. $1 source, $2 ingested_at,
-- $3 ingest_id. applied_at: when the action was applied to the stored history (NULL:
-- not effective yet), set by incoming_actions.
INSERT OR REPLACE INTO raw.corporate_actions
    (ticker, ex_date, action, value, source, ingested_at, ingest_id, basis_session, applied_at)
SELECT ticker, ex_date, action, value, $1, $2, $3, basis_session, applied_at
FROM incoming_actions;
