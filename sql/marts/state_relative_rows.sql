-- Stored marts.relative_performance rows of sessions $1..$2 (every key when $3, else the keys of the
-- registered frame state_keys): what the relative run history is computed from.
SELECT m.ticker, m.benchmark, m.session_date, m.outperf_streak, m.underperf_streak
FROM marts.relative_performance AS m
WHERE m.session_date BETWEEN $1 AND $2 AND ($3 OR (m.ticker, m.benchmark) IN (SELECT (ticker, benchmark) FROM state_keys));
