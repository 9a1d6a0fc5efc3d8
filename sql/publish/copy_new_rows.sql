-- Add to table {table} of the published file the writer's rows it does not hold yet (as a
-- multiset), when it holds no row the writer does not (rows_not_in_writer.sql): a log that
-- only grows (raw.rebasings, raw.ingest_runs) or a table a landing only added to
-- (raw.corporate_actions) is brought up to date without being copied whole.
INSERT INTO pub.{table}
SELECT * FROM src.{table}
EXCEPT ALL
SELECT * FROM pub.{table};
