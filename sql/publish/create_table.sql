-- Table {table} as the writer has it, empty (a table the schema files do not create).
DROP TABLE IF EXISTS pub.{table};
CREATE TABLE pub.{table} AS SELECT * FROM src.{table} LIMIT 0;
