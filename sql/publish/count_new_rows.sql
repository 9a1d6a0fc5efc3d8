-- How many rows stage_new_rows.sql staged.
SELECT count(*) AS staged FROM new_rows;
