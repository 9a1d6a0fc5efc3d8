-- The names a named query's $universe, $ticker and $benchmark can take: every universe of
-- raw.universe_members and every instrument of raw.instruments (bellwether/queries.py says
-- which one an empty answer did not know).
SELECT DISTINCT 'universe' AS kind, universe AS name FROM raw.universe_members
UNION ALL
SELECT 'ticker' AS kind, ticker AS name FROM raw.instruments;
