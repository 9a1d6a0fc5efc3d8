-- Stored marts.relative_performance rows of session $1: the seed a later run continues from.
SELECT * FROM marts.relative_performance WHERE session_date = $1;
