-- Every session with at least one landed bar (the freshness check's history: its first
-- session starts it, the catch-up window and older gaps are judged against it).
SELECT DISTINCT session_date FROM raw.daily_bars_stored ORDER BY session_date;
