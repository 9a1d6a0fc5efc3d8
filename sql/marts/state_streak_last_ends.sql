-- For each key (every key when $2, else those of state_keys) and kind, the earlier runs a
-- build can still be answered by: per run length, the last stored run end before $1,
-- leaving out a length whose last end is followed by a longer (or as long) run before $1,
-- since "the last run at least L long" is then always that later run.
-- Runs ending on or after $3 (a year before $1) come first; of the older ones only lengths
-- above the longest recent run can still be an answer, so the older history is only
-- filtered, not aggregated.
WITH recent AS (
    SELECT r.ticker, r.kind, r.run_length, max(r.run_end) AS run_end
    FROM marts.streak_history AS r
    WHERE r.run_end < $1 AND r.run_end >= $3
      AND ($2 OR EXISTS (SELECT 1 FROM state_keys AS k WHERE k.ticker = r.ticker))
    GROUP BY ALL
),
reach AS (
    SELECT ticker, kind, max(run_length) AS longest FROM recent GROUP BY ALL
),
older AS (
    SELECT r.ticker, r.kind, r.run_length, max(r.run_end) AS run_end
    FROM marts.streak_history AS r
    LEFT JOIN reach AS h ON h.ticker = r.ticker AND h.kind = r.kind
    WHERE r.run_end < $3
      -- a cheap filter first: a run no longer than every key's longest recent run is
      -- needed only for a key without a recent run
      AND (r.run_length > (SELECT min(longest) FROM reach) OR h.longest IS NULL)
      AND r.run_length > coalesce(h.longest, 0)
      AND ($2 OR EXISTS (SELECT 1 FROM state_keys AS k WHERE k.ticker = r.ticker))
    GROUP BY ALL
)
SELECT ticker, kind, run_length, run_end FROM recent
UNION ALL
SELECT ticker, kind, run_length, run_end FROM older;
