-- Every published state recorded in the generation being brought up to date (oldest first).
-- (every column: files published before a column was added lack it)
SELECT *
FROM pub.meta.published_states
ORDER BY state_id;
