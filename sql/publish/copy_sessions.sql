-- Replace the rows of the sessions in _bw_delta of table {table} with the writer's.
DELETE FROM pub.{table} WHERE session_date IN (SELECT d FROM _bw_delta);
INSERT INTO pub.{table} BY NAME SELECT * FROM src.{table} WHERE session_date IN (SELECT d FROM _bw_delta);
