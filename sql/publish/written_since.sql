-- Sessions (calendar days) the writer landed or checked since watermarks $ingest / $checks.
-- A run stamps all its rows with one time: rows stamped exactly at a watermark are taken too
-- (a later run with the same clock), except those of the since-state's own sessions $own.
WITH touched AS (
    SELECT DISTINCT unnest(generate_series(start_session, end_session, INTERVAL 1 DAY))::DATE AS d,
           finished_at = $ingest AS at_mark
    FROM src.raw.ingest_runs
    WHERE $ingest IS NULL OR finished_at >= $ingest
    UNION ALL
    SELECT DISTINCT session_date AS d, checked_at = $checks AS at_mark
    FROM src.dq.check_results
    WHERE $checks IS NULL OR checked_at >= $checks
)
SELECT DISTINCT d
FROM touched
WHERE NOT coalesce(at_mark, false) OR NOT list_contains($own::DATE[], d);
