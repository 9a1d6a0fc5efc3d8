-- Queue breadth ($mart) on each session on which a member's row of one of its input marts
-- changed what breadth reads (changed_inputs: ticker, session_date;
-- bellwether/invalidation.py, enqueue_input_changes): one row per such session, with
-- sessions_only, so the build recounts those sessions and carries the A/D line and EMAs
-- through the others. Only members of a universe, inside their active window, have a part
-- in breadth. $reason, $queued_at.
INSERT INTO marts.pending_rebuilds
    (mart, ticker, from_session, last_changed, reason, ingest_id, queued_at, sessions_only)
SELECT DISTINCT $mart, NULL, c.session_date, c.session_date, $reason, NULL, $queued_at, TRUE
FROM changed_inputs AS c
WHERE EXISTS (
    SELECT 1 FROM raw.universe_members AS u
    WHERE u.ticker = c.ticker
      AND (u.active_from IS NULL OR c.session_date >= u.active_from)
      AND (u.active_to IS NULL OR c.session_date <= u.active_to)
);
