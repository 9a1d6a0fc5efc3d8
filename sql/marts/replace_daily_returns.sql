-- Replace rows of marts.daily_returns: delete the keys in incoming_deletes, insert incoming_rows
-- (both registered by the caller, inside the build's transaction).
DELETE FROM marts.daily_returns AS m
USING incoming_deletes AS d
WHERE m.ticker = d.ticker AND m.session_date = d.session_date;
INSERT INTO marts.daily_returns BY NAME SELECT * FROM incoming_rows;
