-- Replace rows of marts.technicals: delete the keys in incoming_deletes, insert incoming_rows
-- (both registered by the caller, inside the build's transaction).
DELETE FROM marts.technicals AS m
USING incoming_deletes AS d
WHERE m.ticker = d.ticker AND m.session_date = d.session_date;
INSERT INTO marts.technicals BY NAME SELECT * FROM incoming_rows;
