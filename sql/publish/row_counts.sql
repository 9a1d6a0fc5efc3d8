-- Rows of table {table} in the writer's file and in the published one.
SELECT (SELECT count(*) FROM src.{table}), (SELECT count(*) FROM pub.{table});
