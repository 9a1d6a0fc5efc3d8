-- Replace rows of marts.relative_performance: delete the keys in incoming_deletes, insert
-- incoming_rows (both registered by the caller, inside the build's transaction).
DELETE FROM marts.relative_performance AS m
USING incoming_deletes AS d
WHERE m.ticker = d.ticker AND m.benchmark = d.benchmark AND m.session_date = d.session_date;
INSERT INTO marts.relative_performance BY NAME SELECT * FROM incoming_rows;
