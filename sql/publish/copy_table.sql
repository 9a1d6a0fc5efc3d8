-- Replace every row of table {table} with the writer's.
DELETE FROM pub.{table};
INSERT INTO pub.{table} BY NAME SELECT * FROM src.{table};
