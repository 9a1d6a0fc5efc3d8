-- For each key (every key when $2, else those of state_keys), kind and run length, the
-- last stored run end from $3 (a year before $1) to before $1: the recent part of the
-- earlier run ends a build of $1 on reads (bellwether/run_state.py, earlier_ends).
SELECT r.ticker, r.kind, r.run_length, max(r.run_end) AS run_end
FROM marts.streak_history AS r
WHERE r.run_end < $1 AND r.run_end >= $3
  AND ($2 OR r.ticker IN (SELECT ticker FROM state_keys))
GROUP BY ALL;
