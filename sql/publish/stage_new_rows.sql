-- The writer's rows of table {table} that the published file does not hold (as a multiset:
-- every column equal, NULLs equal), staged for copy_new_rows.sql. How many published rows
-- the writer does not hold follows from the counts (table_fingerprints.sql): published
-- rows - writer rows + staged rows; none means the writer's table is the published one
-- plus rows appended since (a log that only grows, such as raw.rebasings or
-- raw.ingest_runs, or actions a landing only added), and only the staged rows are copied.
CREATE OR REPLACE TEMP TABLE new_rows AS
SELECT * FROM src.{table}
EXCEPT ALL
SELECT * FROM pub.{table};
