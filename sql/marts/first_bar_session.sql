-- The first stored session of any ticker (of the tickers in $1, when not NULL): the start
-- of a full recompute.
SELECT min(session_date) FROM raw.daily_bars_stored
WHERE $1::VARCHAR[] IS NULL OR ticker IN (SELECT unnest($1::VARCHAR[]));
