-- Delete the stored marts.streak_since rows of sessions $1..$2 of every key when $3, else of
-- the keys of the registered frame state_keys (a build replaces them).
DELETE FROM marts.streak_since AS s
WHERE s.session_date BETWEEN $1 AND $2
  AND ($3 OR s.ticker IN (SELECT ticker FROM state_keys));
