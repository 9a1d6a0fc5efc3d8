-- For each key and kind of state_short (the ones a build asks about a run longer than
-- their longest recent run, `longest`) and each run length above that, the last stored run
-- end before $1 (where the recent ends start): the older part of the earlier run ends
-- (bellwether/run_state.py, earlier_ends). $2 is the least `longest` of state_short: one
-- constant filter for the scan of the older history, before the join.
SELECT r.ticker, r.kind, r.run_length, max(r.run_end) AS run_end
FROM marts.streak_history AS r
JOIN state_short AS s ON s.ticker = r.ticker AND s.kind = r.kind
WHERE r.run_end < $1 AND r.run_length > $2 AND r.run_length > s.longest
GROUP BY ALL;
