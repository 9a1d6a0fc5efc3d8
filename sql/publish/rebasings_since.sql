-- The bars re-based since stamp $mark (raw.rebasings, the writer's file): each row's ticker
-- and the sessions of its bars it rewrote (first_session..last_session; none when NULL).
-- Rows stamped exactly at $mark are taken too unless their run is one of $runs (as in
-- log_written_since.sql).
SELECT ticker, first_session, last_session
FROM src.raw.rebasings
WHERE first_session IS NOT NULL
  AND ($mark IS NULL
       OR rebased_at > $mark::TIMESTAMPTZ
       OR (rebased_at = $mark::TIMESTAMPTZ
           AND (run_id IS NULL OR NOT list_contains($runs, run_id))));
