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
--   Streaks from marts.streaks (closes compared at published precision) and the run
--   history's row of the session (marts.streak_since): the rows bw.streak_runs returns
--   (sql/macros/030_runs.sql), read here in one pass over the session's rows. The stored
--   history starts with the ticker's first stored bar.
WITH asked AS (
    SELECT bw.session_on_or_before($as_of::DATE) AS session_date
),
since AS (
    -- the run history's row of the session: the current run's kind, start and "since"
    SELECT x.* FROM marts.streak_since AS x JOIN asked AS a ON a.session_date = x.session_date
),
members AS (
    -- the universe's members on the session (raw.universe_members' active window)
    SELECT ticker, member_order FROM bw.members_on($universe, (SELECT session_date FROM asked))
)
SELECT
    s.session_date,
    s.ticker,
    i.name,
    s.close,
    s.direction,
    k.kind,
    CASE k.kind WHEN 'up' THEN s.up_streak ELSE s.down_streak END AS run_length,
    CASE WHEN h.kind = k.kind THEN h.run_start END AS run_start,
    CASE WHEN h.kind = k.kind THEN h.longest_since END AS longest_since,
    CASE WHEN h.kind = k.kind THEN h.longest_since_length END AS longest_since_length,
    CASE WHEN h.kind = k.kind THEN h.last_longer_session END AS last_longer_session,
    CASE WHEN h.kind = k.kind THEN h.last_longer_length END AS last_longer_length,
    h.history_start
FROM marts.streaks AS s
JOIN asked AS a ON a.session_date = s.session_date
JOIN members AS m ON m.ticker = s.ticker
CROSS JOIN (VALUES ('up'), ('down')) AS k(kind)
LEFT JOIN since AS h ON h.ticker = s.ticker
LEFT JOIN raw.instruments AS i ON i.ticker = s.ticker
ORDER BY m.member_order, s.ticker, k.kind DESC;
