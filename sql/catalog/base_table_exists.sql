-- Whether $schema.$table of the current catalog is a base table (not a view, not absent).
SELECT count(*) > 0
FROM duckdb_tables()
WHERE database_name = current_database()
  AND schema_name = $schema
  AND table_name = $table;
