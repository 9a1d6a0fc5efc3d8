-- Add the staged rows (stage_new_rows.sql) to table {table} of the published file: the
-- writer's rows it does not hold yet, when it holds no row the writer does not.
INSERT INTO pub.{table}
SELECT * FROM new_rows;
