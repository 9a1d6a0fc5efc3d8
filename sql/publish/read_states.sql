-- Every published state recorded in the connection's default database (oldest first).
-- (every column: files published before a column was added lack it)
SELECT *
FROM meta.published_states
ORDER BY state_id;
