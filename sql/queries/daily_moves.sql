-- Question: How did each member of a universe close on a date: level, change on the day,
--   and returns over the week, month to date and year to date?
--
-- Parameters:
--   $as_of     DATE     the day asked about; resolved to the last NYSE session on or before it
--   $universe  VARCHAR  a universe of raw.universe_members (its members on the session), e.g. 'indices'
--
-- Columns:
--   session_date   DATE     the resolved session
--   ticker         VARCHAR  universe member
--   name           VARCHAR  instrument name (raw.instruments)
--   close          DOUBLE   close on session_date
--   prev_session   DATE     the NYSE session before session_date
--   prev_close     DOUBLE   close on prev_session; NULL without a bar
--   change         DOUBLE   close - prev_close (index points or dollars)
--   ret_1d         DOUBLE   close / prev_close - 1 (a fraction)
--   ret_5d         DOUBLE   return over the last 5 sessions (marts.daily_returns)
--   ret_mtd        DOUBLE   month-to-date: from the last close before the month's first day (marts.daily_returns)
--   ret_ytd        DOUBLE   year-to-date: from the last close of the previous year (marts.daily_returns)
--
-- Notes: one row per member with a bar on the session, in universe order. ret_mtd and
--   ret_ytd are marts.daily_returns' (bw.period_return's close basis): NULL when the
--   stored history starts inside the period (all of 2024 in the bundled data).
WITH asked AS (
    SELECT
        bw.session_on_or_before($as_of::DATE) AS session_date,
        bw.session_before(bw.session_on_or_before($as_of::DATE)) AS prev_session
),
members AS (
    -- the universe's members on the session (raw.universe_members' active window)
    SELECT ticker, member_order FROM bw.members_on($universe, (SELECT session_date FROM asked))
),
prev AS (
    SELECT b.ticker, b.close
    FROM raw.daily_bars AS b
    WHERE b.session_date = (SELECT prev_session FROM asked)
)
SELECT
    d.session_date,
    d.ticker,
    i.name,
    d.close,
    a.prev_session,
    p.close AS prev_close,
    d.close - p.close AS change,
    d.ret_1d,
    d.ret_5d,
    d.ret_mtd,
    d.ret_ytd
FROM marts.daily_returns AS d
CROSS JOIN asked AS a
JOIN members AS m ON m.ticker = d.ticker
LEFT JOIN prev AS p ON p.ticker = d.ticker
LEFT JOIN raw.instruments AS i ON i.ticker = d.ticker
WHERE d.session_date = a.session_date
ORDER BY m.member_order, d.ticker;
