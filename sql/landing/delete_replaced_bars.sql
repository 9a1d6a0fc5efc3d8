-- Remove the stored bars that the incoming batch replaces (same ticker and session).
DELETE FROM raw.daily_bars AS b
USING incoming_bars AS i
WHERE b.ticker = i.ticker AND b.session_date = i.session_date;
