-- Queue one rebuild: $1 mart, $2 ticker (NULL: every ticker), $3 from_session,
-- $4 last_changed, $5 reason, $6 ingest_id, $7 queued_at, $8 sessions_only (TRUE: only the
-- inputs of $3..$4 changed; NULL: everything from $3 on may depend on the change).
INSERT INTO marts.pending_rebuilds
    (mart, ticker, from_session, last_changed, reason, ingest_id, queued_at, sessions_only)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);
