-- The tables of the published schemas with a non-null session_date (the tables kept in
-- session order), with their primary key columns (empty when they have none).
SELECT t.schema_name || '.' || t.table_name AS table_name,
       coalesce(
           (SELECT k.constraint_column_names
            FROM duckdb_constraints() AS k
            WHERE k.database_name = t.database_name
              AND k.schema_name = t.schema_name
              AND k.table_name = t.table_name
              AND k.constraint_type = 'PRIMARY KEY'),
           []::VARCHAR[]
       ) AS key_columns
FROM duckdb_tables() AS t
WHERE t.database_name = current_database()
  AND t.schema_name IN ('raw', 'marts', 'dq')
  AND EXISTS (
      SELECT 1 FROM duckdb_columns() AS c
      WHERE c.database_name = t.database_name
        AND c.schema_name = t.schema_name
        AND c.table_name = t.table_name
        AND c.column_name = 'session_date'
        AND NOT c.is_nullable
  )
ORDER BY table_name;
