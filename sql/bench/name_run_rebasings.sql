-- Benchmark set-up (bench/publish_daily.py): the history's rows of raw.rebasings named as run $1's
-- (a bare backfill writes them without a run id).
UPDATE raw.rebasings SET run_id = $1;
