-- Replace the period bases of table {table} (marts.period_bases: period_start, no
-- session_date) that a build of the sessions in _bw_delta may have rewritten with the
-- writer's: a build of first..last rewrites the months from first's to the one after last
-- (bellwether/period_state.py), so each session d takes the months starting within 31 days
-- of it.
DELETE FROM pub.{table}
WHERE period_start IN (
    SELECT date_trunc('month', d.d + (k.range::INTEGER - 31))::DATE
    FROM _bw_delta AS d, range(0, 63) AS k
);
INSERT INTO pub.{table} BY NAME
SELECT * FROM src.{table}
WHERE period_start IN (
    SELECT date_trunc('month', d.d + (k.range::INTEGER - 31))::DATE
    FROM _bw_delta AS d, range(0, 63) AS k
);
