-- Delete the stored marts.relative_history ends of sessions $1..$2 of every key when $3, else of
-- the keys of the registered frame state_keys (a build replaces them).
DELETE FROM marts.relative_history AS r
WHERE r.run_end BETWEEN $1 AND $2
  AND ($3 OR (r.ticker, r.benchmark) IN (SELECT (ticker, benchmark) FROM state_keys));
