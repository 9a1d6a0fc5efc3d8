-- Update adj_close of stored marts.daily_returns rows in place (incoming_updates: their
-- keys and new values, registered by the caller inside the build's transaction): a
-- dividend re-bases a ticker's adj_close and nothing else of its rows, which stay in their
-- sessions' row groups (bellwether/marts.py, IN_PLACE_UPDATES).
UPDATE marts.daily_returns AS m
SET adj_close = u.adj_close
FROM incoming_updates AS u
WHERE m.ticker = u.ticker AND m.session_date = u.session_date;
