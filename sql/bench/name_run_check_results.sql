-- Benchmark set-up (bench/publish_daily.py): the history's rows of dq.check_results named as
-- run $1's (a bare backfill writes them without a run id).
UPDATE dq.check_results SET run_id = $1;
