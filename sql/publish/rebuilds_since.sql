-- The mart builds since stamp $mark (marts.rebuild_log, the writer's file): the mart, and one
-- row per ticker of a build scoped to some (rebuilt_tickers), one row with a NULL ticker
-- for a build over every ticker, with the build's first_session..last_session. Rows stamped
-- exactly at $mark are taken too unless their run is one of $runs (as in
-- log_written_since.sql).
SELECT mart, unnest(coalesce(rebuilt_tickers, [NULL::VARCHAR])) AS ticker,
       first_session, last_session
FROM src.marts.rebuild_log
WHERE $mark IS NULL
   OR built_at > $mark::TIMESTAMPTZ
   OR (built_at = $mark::TIMESTAMPTZ AND (run_id IS NULL OR NOT list_contains($runs, run_id)));
