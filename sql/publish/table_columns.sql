-- Columns of every table of the published schemas in attached catalog $catalog (base tables
-- only: the views, such as raw.daily_bars, are made by the schema in the published file and
-- read its stored tables).
SELECT c.schema_name || '.' || c.table_name AS table_name, c.column_name, c.data_type,
       c.is_nullable
FROM duckdb_columns() AS c
JOIN duckdb_tables() AS t
  ON t.database_name = c.database_name AND t.schema_name = c.schema_name
 AND t.table_name = c.table_name
WHERE c.database_name = $catalog AND c.schema_name IN ('raw', 'marts', 'dq')
ORDER BY c.schema_name, c.table_name, c.column_index;
