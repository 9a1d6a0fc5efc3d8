-- Replace the rows of table {table} (ticker and benchmark columns: a pair) of each ticker
-- of _bw_ranges, as either leg, in its sessions with the writer's (before copy_sessions.sql).
DELETE FROM pub.{table} AS t
WHERE EXISTS (
    SELECT 1 FROM _bw_ranges AS r
    WHERE (r.ticker = t.ticker OR r.ticker = t.benchmark)
      AND t.session_date BETWEEN r.first_session AND r.last_session
);
INSERT INTO pub.{table} BY NAME
SELECT * FROM src.{table} AS t
WHERE EXISTS (
    SELECT 1 FROM _bw_ranges AS r
    WHERE (r.ticker = t.ticker OR r.ticker = t.benchmark)
      AND t.session_date BETWEEN r.first_session AND r.last_session
);
