-- Update adj_close of stored marts.daily_returns rows in place (incoming_updates: their
-- keys and new values on the ticker's current basis, registered by the caller inside the
-- build's transaction; stored divided by its raw.adj_close_scale): a dividend re-bases a
-- ticker's adj_close and nothing else of its rows, which stay in their sessions' row groups
-- (bellwether/marts.py, IN_PLACE_UPDATES).
UPDATE marts.daily_returns_stored AS m
SET adj_close = u.adj_close / coalesce(s.scale, 1.0)
FROM incoming_updates AS u
LEFT JOIN raw.adj_close_scale AS s ON s.ticker = u.ticker
WHERE m.ticker = u.ticker AND m.session_date = u.session_date;
