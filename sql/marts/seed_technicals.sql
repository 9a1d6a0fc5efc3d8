-- Stored marts.technicals rows of session $1: the seed a later run continues from.
SELECT * FROM marts.technicals WHERE session_date = $1;
