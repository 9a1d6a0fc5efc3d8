-- Stored marts.streaks rows of session $1: the seed a later run continues from.
SELECT * FROM marts.streaks WHERE session_date = $1;
