-- Every table of the writer's file (attached as src), as schema.table: one query for the
-- checks of which change logs it has.
SELECT schema_name || '.' || table_name
FROM duckdb_tables()
WHERE database_name = 'src';
