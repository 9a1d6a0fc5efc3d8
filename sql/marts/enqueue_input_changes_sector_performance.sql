-- Queue sector performance ($mart) on each session on which a sector ETF's daily_returns
-- row changed what the ranks read (changed_inputs: ticker, session_date;
-- bellwether/invalidation.py, enqueue_input_changes): one row per such session, with
-- sessions_only. $reason, $queued_at.
INSERT INTO marts.pending_rebuilds
    (mart, ticker, from_session, last_changed, reason, ingest_id, queued_at, sessions_only)
SELECT DISTINCT $mart, NULL, c.session_date, c.session_date, $reason, NULL, $queued_at, TRUE
FROM changed_inputs AS c
WHERE c.ticker IN (
    SELECT i.ticker FROM raw.instruments AS i WHERE i.kind = 'etf' AND i.sector IS NOT NULL
);
