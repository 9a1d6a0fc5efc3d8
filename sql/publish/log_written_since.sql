-- Sessions (calendar days) that change log {table} says the writer changed since stamp $mark:
-- rows {first}..{last} stamped {stamp} >= $mark. A run stamps all its rows with one time, so
-- rows stamped exactly at $mark are taken too (a later run with the same clock, as in tests),
-- except those of the since-state's own sessions $own, which that state holds (a later run
-- that rewrote them has them in its own sessions, which are copied anyway).
WITH touched AS (
    SELECT DISTINCT unnest(generate_series({first}, coalesce({last}, {first}), INTERVAL 1 DAY))::DATE AS d,
           {stamp} = $mark::TIMESTAMPTZ AS at_mark
    FROM src.{table}
    WHERE {first} IS NOT NULL AND ($mark IS NULL OR {stamp} >= $mark::TIMESTAMPTZ)
)
SELECT DISTINCT d
FROM touched
WHERE NOT coalesce(at_mark, false) OR NOT list_contains($own::DATE[], d);
