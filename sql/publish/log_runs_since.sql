-- Runs that change log {table} says wrote to the writer's file at or after stamp $mark
-- (every run when $mark is NULL): a publish must not expose a run that is still writing.
SELECT DISTINCT run_id
FROM src.{table}
WHERE run_id IS NOT NULL AND ($mark IS NULL OR {stamp} >= $mark::TIMESTAMPTZ);
