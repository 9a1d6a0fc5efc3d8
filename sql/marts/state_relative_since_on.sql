-- Stored marts.relative_since rows of session $1: the seed (run starts, history starts) a
-- later build of the relative run history continues from.
SELECT * FROM marts.relative_since WHERE session_date = $1;
