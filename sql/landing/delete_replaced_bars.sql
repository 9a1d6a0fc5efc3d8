-- Remove the stored bars that the incoming batch replaces with different values.
DELETE FROM raw.daily_bars_stored AS b
USING incoming_writes AS i
WHERE b.ticker = i.ticker AND b.session_date = i.session_date;
