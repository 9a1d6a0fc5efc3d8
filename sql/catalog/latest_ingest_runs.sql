-- The five most recent landings.
SELECT source, start_session, end_session, symbols_received, symbols_requested, rows_landed, rows_rejected,
       failed_symbols, status
FROM raw.ingest_runs
ORDER BY finished_at DESC
LIMIT 5;
