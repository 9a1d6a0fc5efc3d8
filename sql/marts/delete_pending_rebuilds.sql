-- Delete exactly the queued rebuilds a build handled (registered as handled_rebuilds).
DELETE FROM marts.pending_rebuilds AS p
USING handled_rebuilds AS h
WHERE p.mart = h.mart
  AND p.ticker IS NOT DISTINCT FROM h.ticker
  AND p.from_session = h.from_session
  AND p.last_changed = h.last_changed
  AND p.reason = h.reason
  AND p.ingest_id IS NOT DISTINCT FROM h.ingest_id
  AND p.queued_at = h.queued_at
  AND p.sessions_only IS NOT DISTINCT FROM h.sessions_only;
