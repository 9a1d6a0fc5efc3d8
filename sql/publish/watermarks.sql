-- The writer's latest landing and check times (what a later delta starts from).
SELECT (SELECT max(finished_at) FROM src.raw.ingest_runs) AS ingest_watermark,
       (SELECT max(checked_at) FROM src.dq.check_results) AS checks_watermark;
