-- Replace the session calendar with the one computed from exchange_calendars XNYS.
DELETE FROM raw.trading_sessions;
INSERT INTO raw.trading_sessions SELECT session_date, open_at, close_at, is_half_day FROM incoming_sessions;
