-- Stored marts.breadth rows of session $1: the seed a later run continues from.
SELECT * FROM marts.breadth WHERE session_date = $1;
