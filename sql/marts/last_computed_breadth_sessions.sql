-- Per breadth universe ($3), the last session strictly between $1 and $2 on which at least
-- the share $4 of its configured members have streak and technicals rows: the last session
-- breadth computed before $2 (stored, or computed and withheld by the quality gate, whose
-- net advances still count in the A/D line and EMAs).
WITH sizes AS (
    SELECT universe, count(*) AS size
    FROM raw.universe_members
    WHERE universe IN (SELECT unnest($3::VARCHAR[]))
    GROUP BY universe
), present AS (
    SELECT u.universe, s.session_date, count(*) AS n
    FROM raw.universe_members AS u
    JOIN marts.streaks AS s ON s.ticker = u.ticker
    JOIN marts.technicals AS t ON t.ticker = s.ticker AND t.session_date = s.session_date
    WHERE u.universe IN (SELECT unnest($3::VARCHAR[]))
      AND s.session_date > $1 AND s.session_date < $2
      AND (u.active_from IS NULL OR s.session_date >= u.active_from)
      AND (u.active_to IS NULL OR s.session_date <= u.active_to)
    GROUP BY u.universe, s.session_date
)
SELECT p.universe, max(p.session_date) AS last_session
FROM present AS p
JOIN sizes AS z ON z.universe = p.universe
WHERE p.n >= $4 * z.size
GROUP BY p.universe;
