-- Stored marts.streak_since rows of session $1: the seed (run starts, history starts) a
-- later build of the streak run history continues from.
SELECT * FROM marts.streak_since WHERE session_date = $1;
