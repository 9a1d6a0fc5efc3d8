-- Per member of each breadth universe ($3) and session $1..$2 (only the sessions in $4 when
-- not NULL: a recount of the sessions whose members changed), inside the universe's active
-- window: the close's direction and the member's technicals.
SELECT u.universe, s.ticker, s.session_date, s.direction, t.close, t.sma_20, t.sma_50, t.sma_200,
       t.high_52w, t.is_new_high_52w, t.is_new_low_52w
FROM raw.universe_members AS u
JOIN marts.streaks AS s ON s.ticker = u.ticker
JOIN marts.technicals AS t ON t.ticker = s.ticker AND t.session_date = s.session_date
WHERE u.universe IN (SELECT unnest($3::VARCHAR[]))
  AND s.session_date BETWEEN $1 AND $2
  AND t.session_date BETWEEN $1 AND $2
  AND ($4::DATE[] IS NULL OR s.session_date IN (SELECT unnest($4::DATE[])))
  AND (u.active_from IS NULL OR s.session_date >= u.active_from)
  AND (u.active_to IS NULL OR s.session_date <= u.active_to);
