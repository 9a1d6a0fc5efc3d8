-- Whether this warehouse has the table recording its schema digest (bw_meta.schema_digest).
SELECT count(*) > 0
FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name = 'bw_meta' AND table_name = 'schema_digest';
