-- The latest session with any landed bar.
SELECT max(session_date) FROM raw.daily_bars;
