-- Delete the stored marts.streak_history ends of sessions $1..$2 of every key when $3, else of
-- the keys of the registered frame state_keys (a build replaces them).
DELETE FROM marts.streak_history AS r
WHERE r.run_end BETWEEN $1 AND $2
  AND ($3 OR r.ticker IN (SELECT ticker FROM state_keys));
