-- Queue the rebuilds that changed bars imply for one mart (the any-order rule,
-- bellwether/invalidation.py): per ticker, from its earliest bar (in incoming_changes)
-- whose changed columns include one the mart reads. $1 mart, $2 the raw columns it
-- reads, $3 reason, $4 ingest_id, $5 queued_at.
INSERT INTO marts.pending_rebuilds
    (mart, ticker, from_session, last_changed, reason, ingest_id, queued_at)
SELECT $1, ticker, min(session_date), max(session_date), $3, $4, $5
FROM incoming_changes
WHERE list_has_any(changed_columns, $2::VARCHAR[])
GROUP BY ticker;
