-- Landings whose session range overlaps $1..$2, oldest first: why a session of the window
-- has no bar (the landing failed, or the source delivered nothing for it).
SELECT ingest_id, run_id, source, start_session, end_session, status, error,
       symbols_requested, symbols_received, failures, finished_at
FROM raw.ingest_runs
WHERE end_session >= $1 AND start_session <= $2
ORDER BY finished_at, ingest_id;
