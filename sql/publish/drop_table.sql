-- Table {table} no longer exists in the writer's file.
DROP TABLE pub.{table};
