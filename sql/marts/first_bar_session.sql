-- The first stored session of any ticker (the start of a full recompute).
SELECT min(session_date) FROM raw.daily_bars;
