-- Queue one rebuild: $1 mart, $2 ticker (NULL: every ticker), $3 from_session,
-- $4 last_changed, $5 reason, $6 ingest_id, $7 queued_at.
INSERT INTO marts.pending_rebuilds VALUES ($1, $2, $3, $4, $5, $6, $7);
