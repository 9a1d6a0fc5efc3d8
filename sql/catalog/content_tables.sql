-- Every base table of the warehouse's own schemas (raw, marts, dq), for content hashes.
SELECT table_schema || '.' || table_name AS table_name
FROM information_schema.tables
WHERE table_catalog = current_database()
  AND table_type = 'BASE TABLE'
  AND table_schema IN ('raw', 'marts', 'dq')
ORDER BY 1;
