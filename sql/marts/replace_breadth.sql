-- Replace rows of marts.breadth: delete the keys in incoming_deletes, insert incoming_rows
-- (both registered by the caller, inside the build's transaction).
DELETE FROM marts.breadth AS m
USING incoming_deletes AS d
WHERE m.universe = d.universe AND m.session_date = d.session_date;
INSERT INTO marts.breadth BY NAME SELECT * FROM incoming_rows;
