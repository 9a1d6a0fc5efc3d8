-- Breadth rows on sessions $1..$2 whose advancers + decliners + unchanged differ from the
-- members with both bars (members_compared), recomputed here from marts.streaks.
WITH recount AS (
    SELECT u.universe, s.session_date, count(s.direction) AS members_with_both_bars
    FROM raw.universe_members AS u
    JOIN marts.streaks AS s ON s.ticker = u.ticker
    WHERE s.session_date BETWEEN $1 AND $2
      AND (u.active_from IS NULL OR s.session_date >= u.active_from)
      AND (u.active_to IS NULL OR s.session_date <= u.active_to)
    GROUP BY ALL
)
SELECT b.universe, b.session_date, b.advancers, b.decliners, b.unchanged, b.members_compared,
       r.members_with_both_bars
FROM marts.breadth AS b
LEFT JOIN recount AS r USING (universe, session_date)
WHERE b.session_date BETWEEN $1 AND $2;
