-- Replace the rows of table {table} (a ticker column) of each ticker of _bw_ranges in its
-- sessions with the writer's. The ranges of one ticker do not overlap (merged by the
-- publish), so the join inserts each row once. Run before copy_sessions.sql, which then
-- replaces whole sessions whatever this copied.
DELETE FROM pub.{table} AS t
USING _bw_ranges AS r
WHERE r.ticker = t.ticker AND t.session_date BETWEEN r.first_session AND r.last_session;
INSERT INTO pub.{table} BY NAME
SELECT t.* FROM src.{table} AS t
INNER JOIN _bw_ranges AS r
    ON r.ticker = t.ticker AND t.session_date BETWEEN r.first_session AND r.last_session;
