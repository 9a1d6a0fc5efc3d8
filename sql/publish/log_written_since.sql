-- Sessions (calendar days) that change log {table} says the writer changed since stamp $mark:
-- rows {first}..{last} stamped {stamp} after $mark. A run stamps all its rows with one time;
-- rows stamped exactly at $mark are taken too unless their run is one of $runs, the runs the
-- since-state and the states before it published (which it holds): with a fixed clock, as in
-- tests, another run's rows can carry the same stamp; a published run writes nothing after.
SELECT DISTINCT unnest(generate_series({first}, coalesce({last}, {first}), INTERVAL 1 DAY))::DATE
FROM src.{table}
WHERE {first} IS NOT NULL
  AND ($mark IS NULL
       OR {stamp} > $mark::TIMESTAMPTZ
       OR ({stamp} = $mark::TIMESTAMPTZ
           AND (run_id IS NULL OR NOT list_contains($runs, run_id))));
