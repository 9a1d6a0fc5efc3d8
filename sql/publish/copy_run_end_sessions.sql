-- Replace the run ends of table {table} (marts.streak_history, marts.relative_history:
-- run_end, no session_date) that a build of the sessions in _bw_delta may have rewritten
-- with the writer's: a build of first..last rewrites the run ends from the session before
-- first to last (bellwether/run_state.py), so each session d takes d - 10 days .. d (the
-- longest NYSE closure, September 2001, left 7 days between two sessions).
DELETE FROM pub.{table}
WHERE run_end IN (SELECT d.d - k.range::INTEGER FROM _bw_delta AS d, range(0, 11) AS k);
INSERT INTO pub.{table} BY NAME
SELECT * FROM src.{table}
WHERE run_end IN (SELECT d.d - k.range::INTEGER FROM _bw_delta AS d, range(0, 11) AS k);
