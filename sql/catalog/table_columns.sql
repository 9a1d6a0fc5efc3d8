-- Every column of every table and view in the warehouse, in definition order.
SELECT table_schema || '.' || table_name AS table_name, column_name, data_type, is_nullable = 'YES' AS nullable
FROM information_schema.columns
WHERE table_catalog = current_database()
ORDER BY table_schema, table_name, ordinal_position;
