-- Question: How many sessions in a row has each member of a universe closed up (or down)
--   as of a date, and when was a streak at least as long (or longer) last seen?
--
-- Parameters:
--   $as_of     DATE     the day asked about; resolved to the last NYSE session on or before it
--   $universe  VARCHAR  a universe of raw.universe_members (its members on the session), e.g. 'indices'
--
-- Columns:
--   session_date          DATE     the resolved session
--   ticker                VARCHAR  universe member
--   name                  VARCHAR  instrument name (raw.instruments)
--   close                 DOUBLE   close on session_date
--   direction             TINYINT  +1 up, -1 down, 0 unchanged vs the previous close; NULL without a previous bar
--   kind                  VARCHAR  'up' or 'down'
--   run_length            INTEGER  consecutive up (down) closes ending on session_date (0 = none)
--   run_start             DATE     first session of the current streak; NULL if run_length = 0
--   longest_since         DATE     last earlier session on which a streak of this kind was at least run_length long (the end of that streak); NULL if none in the stored history or run_length = 0
--   longest_since_length  INTEGER  length of the streak that ended on longest_since
--   last_longer_session   DATE     the same for a strictly longer streak
--   last_longer_length    INTEGER  length of that streak
--   history_start         DATE     the ticker's first stored session (NULL "since" columns mean: the longest since then)
--
-- Notes: two rows per member with a bar on the session ('up' first), in universe order.
--   Streaks from marts.streaks (closes compared at published precision) through
--   bw.streak_runs (sql/macros/030_runs.sql); the stored history starts with the ticker's
--   first stored bar.
WITH asked AS (
    SELECT bw.session_on_or_before($as_of::DATE) AS session_date
),
members AS (
    -- the universe's members on the session (raw.universe_members' active window)
    SELECT ticker, member_order FROM bw.members_on($universe, (SELECT session_date FROM asked))
)
SELECT
    r.session_date,
    r.ticker,
    i.name,
    r.close,
    r.direction,
    r.kind,
    r.run_length,
    r.run_start,
    r.longest_since,
    r.longest_since_length,
    r.last_longer_session,
    r.last_longer_length,
    r.history_start
FROM bw.streak_runs((SELECT session_date FROM asked)) AS r
JOIN members AS m ON m.ticker = r.ticker
LEFT JOIN raw.instruments AS i ON i.ticker = r.ticker
ORDER BY m.member_order, r.ticker, r.kind DESC;
