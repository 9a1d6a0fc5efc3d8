-- Replace the run ends of table {table} (marts.relative_history: a pair) of each ticker of
-- _bw_ranges, as either leg, in its sessions widened as in copy_run_end_sessions.sql, with
-- the writer's (before it).
DELETE FROM pub.{table} AS t
WHERE EXISTS (
    SELECT 1 FROM _bw_ranges AS r
    WHERE (r.ticker = t.ticker OR r.ticker = t.benchmark)
      AND t.run_end BETWEEN r.first_session - 10 AND r.last_session
);
INSERT INTO pub.{table} BY NAME
SELECT * FROM src.{table} AS t
WHERE EXISTS (
    SELECT 1 FROM _bw_ranges AS r
    WHERE (r.ticker = t.ticker OR r.ticker = t.benchmark)
      AND t.run_end BETWEEN r.first_session - 10 AND r.last_session
);
