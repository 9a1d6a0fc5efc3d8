-- Benchmark set-up (bench/publish_daily.py): the history's rows of marts.rebuild_log named as
-- run $1's (a bare backfill writes them without a run id).
UPDATE marts.rebuild_log SET run_id = $1;
