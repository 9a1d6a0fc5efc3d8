-- Per member of each breadth universe and session $1..$2: direction and technicals.
SELECT u.universe, s.ticker, s.session_date, s.direction, t.close, t.sma_20, t.sma_50, t.sma_200,
       t.high_52w, t.is_new_high_52w, t.is_new_low_52w
FROM raw.universe_members AS u
JOIN marts.streaks AS s ON s.ticker = u.ticker
JOIN marts.technicals AS t ON t.ticker = s.ticker AND t.session_date = s.session_date
WHERE u.universe IN (SELECT unnest($3::VARCHAR[])) AND s.session_date BETWEEN $1 AND $2;
