-- Columns of every table of the published schemas in attached catalog $catalog.
SELECT schema_name || '.' || table_name AS table_name, column_name, data_type, is_nullable
FROM duckdb_columns()
WHERE database_name = $catalog AND schema_name IN ('raw', 'marts', 'dq')
ORDER BY schema_name, table_name, column_index;
