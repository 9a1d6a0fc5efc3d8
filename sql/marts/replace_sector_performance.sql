-- Replace rows of marts.sector_performance: delete the keys in incoming_deletes, insert
-- incoming_rows (both registered by the caller, inside the build's transaction).
DELETE FROM marts.sector_performance AS m
USING incoming_deletes AS d
WHERE m.session_date = d.session_date AND m.ticker = d.ticker;
INSERT INTO marts.sector_performance BY NAME SELECT * FROM incoming_rows;
