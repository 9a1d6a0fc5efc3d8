-- The catalog of this connection's file (the warehouse's name in duckdb_tables()).
SELECT current_database();
