-- How many rows of table {table} in the published file the writer's file does not hold
-- (as a multiset: every column equal, NULLs equal). None: the writer's table is the
-- published one plus rows appended since, which copy_new_rows then adds.
SELECT count(*) AS gone
FROM (SELECT * FROM pub.{table} EXCEPT ALL SELECT * FROM src.{table}) AS gone_rows;
