-- The staged rows of stage_new_rows.sql, once copied or not needed.
DROP TABLE IF EXISTS new_rows;
