-- Replace rows of marts.daily_returns: delete the keys in incoming_deletes, insert incoming_rows
-- (both registered by the caller, inside the build's transaction). adj_close arrives on the
-- ticker's current basis and is stored divided by its raw.adj_close_scale (the view
-- marts.daily_returns multiplies it back).
DELETE FROM marts.daily_returns_stored AS m
USING incoming_deletes AS d
WHERE m.ticker = d.ticker AND m.session_date = d.session_date;
INSERT INTO marts.daily_returns_stored BY NAME
SELECT r.* REPLACE (r.adj_close / coalesce(s.scale, 1.0) AS adj_close)
FROM incoming_rows AS r
LEFT JOIN raw.adj_close_scale AS s ON s.ticker = r.ticker;
