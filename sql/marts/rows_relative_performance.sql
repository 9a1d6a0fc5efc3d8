-- Stored marts.relative_performance rows of sessions $1..$2 (of pairs whose ticker or
-- benchmark is in $3 when not NULL): what a build compares its rows with.
SELECT * FROM marts.relative_performance
WHERE session_date BETWEEN $1 AND $2
  AND ($3::VARCHAR[] IS NULL
       OR ticker IN (SELECT unnest($3::VARCHAR[])) OR benchmark IN (SELECT unnest($3::VARCHAR[])));
