-- Stored marts.sector_performance rows of sessions $1..$2 (sector ranks compare whole
-- sessions): what a build compares its rows with, to write only what changed.
SELECT * FROM marts.sector_performance WHERE session_date BETWEEN $1 AND $2;
