-- The rebuilds queued for mart $1.
SELECT mart, ticker, from_session, last_changed, reason, ingest_id, queued_at, sessions_only
FROM marts.pending_rebuilds
WHERE mart = $1;
