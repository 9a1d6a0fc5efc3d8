-- Stored marts.breadth rows of sessions $1..$2 (breadth describes whole sessions): what a
-- build compares its rows with, to write only what changed.
SELECT * FROM marts.breadth WHERE session_date BETWEEN $1 AND $2;
