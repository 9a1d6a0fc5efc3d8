-- Log one landing attempt (succeeded or failed).
INSERT OR REPLACE INTO raw.ingest_runs (
    ingest_id, run_id, source, start_session, end_session, sessions,
    symbols_requested, symbols_received, symbols_failed, failed_symbols, failures,
    rows_received, rows_landed, rows_rejected, actions_landed, archive_path,
    status, error, started_at, finished_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20);
