-- Benchmark set-up (bench/publish_daily.py): the history's rows of raw.ingest_runs named as run $1's
-- (a bare backfill writes them without a run id).
UPDATE raw.ingest_runs SET run_id = $1;
