-- The first session after $1 with any landed bar (its step and tracking checks compare
-- with the last close on or before $1).
SELECT min(session_date) FROM raw.daily_bars_stored WHERE session_date > $1;
