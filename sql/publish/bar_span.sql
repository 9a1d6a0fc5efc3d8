-- The writer's first and last session of bars.
SELECT min(session_date), max(session_date) FROM src.raw.daily_bars_stored;
