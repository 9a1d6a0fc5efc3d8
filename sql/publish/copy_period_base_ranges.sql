-- Replace the period bases of table {table} (marts.period_bases) of each ticker of
-- _bw_ranges in its sessions, widened as in copy_period_base_sessions.sql, with the
-- writer's (before it). The ranges of one ticker lie more than the widening apart (merged
-- by the publish), so the join inserts each row once.
DELETE FROM pub.{table} AS t
USING _bw_ranges AS r
WHERE r.ticker = t.ticker
  AND t.period_start BETWEEN r.first_session - 31 AND r.last_session + 31;
INSERT INTO pub.{table} BY NAME
SELECT t.* FROM src.{table} AS t
INNER JOIN _bw_ranges AS r
    ON r.ticker = t.ticker
   AND t.period_start BETWEEN r.first_session - 31 AND r.last_session + 31;
