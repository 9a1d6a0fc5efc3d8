-- Rows rejected by ingest $1 (whatever their date, so a row that cannot be placed on a
-- session is still reported).
SELECT ticker, session_date, reason FROM raw.rejected_bars WHERE ingest_id = $1;
