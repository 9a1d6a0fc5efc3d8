-- Delete the stored marts.relative_since rows of sessions $1..$2 of every key when $3, else of
-- the keys of the registered frame state_keys (a build replaces them).
DELETE FROM marts.relative_since AS s
WHERE s.session_date BETWEEN $1 AND $2
  AND ($3 OR (s.ticker, s.benchmark) IN (SELECT (ticker, benchmark) FROM state_keys));
