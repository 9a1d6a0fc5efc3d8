-- Stored marts.streaks rows of sessions $1..$2 (every key when $3, else the keys of the
-- registered frame state_keys): what the streak run history is computed from.
SELECT m.ticker, m.session_date, m.up_streak, m.down_streak
FROM marts.streaks AS m
WHERE m.session_date BETWEEN $1 AND $2 AND ($3 OR m.ticker IN (SELECT ticker FROM state_keys));
