-- The CREATE TABLE statement of table $schema.$name as DuckDB holds it (columns, types,
-- defaults, checks and key as they are now), in catalog $catalog.
SELECT sql
FROM duckdb_tables()
WHERE database_name = $catalog AND schema_name = $schema AND table_name = $name;
