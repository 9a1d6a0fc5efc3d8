-- Every row of table {table} from the writer's, in the writer's order (a table just made
-- anew in the generation: a compacted table).
INSERT INTO pub.{table} BY NAME SELECT * FROM src.{table};
