-- The rows kept aside appended at the end of table {table}, in session order (as a
-- rebuild of one ticker's history writes them).
INSERT INTO {table}
SELECT * FROM moved
ORDER BY session_date;
