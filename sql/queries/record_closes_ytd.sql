-- Question: How many record closes has each member of a universe set so far this calendar
--   year, as of a date, and when was its latest record close?
--
-- Parameters:
--   $as_of     DATE     the day asked about; resolved to the last NYSE session on or before it
--   $universe  VARCHAR  a universe of raw.universe_members (its members on the session), e.g. 'indices' or 'broad_etfs'
--
-- Columns:
--   session_date         DATE     the resolved session
--   ticker               VARCHAR  universe member
--   name                 VARCHAR  instrument name (raw.instruments)
--   close                DOUBLE   close on session_date
--   is_record_close      BOOLEAN  close above every earlier stored close (a record today)
--   record_closes_ytd    INTEGER  record closes in session_date's calendar year, up to and including it
--   last_record_session  DATE     latest record close on or before session_date, any year; NULL if none
--   record_close         DOUBLE   highest close in the stored history up to session_date
--   pct_from_record      DOUBLE   close / record_close - 1 (a fraction, <= 0)
--   history_start        DATE     the ticker's first stored session: records are records since then
--
-- Notes: one row per member with a bar on the session, in universe order (no row without a
--   bar). From marts.technicals. A record is a record of the stored history, which starts
--   with the ticker's first stored bar (2024-01-02 in the bundled data), so early-2024
--   records are not necessarily all-time records (e.g. ^RUT's 2024 "records" stay below its
--   2021 high): quote them as "record since history_start".
WITH asked AS (
    SELECT bw.session_on_or_before($as_of::DATE) AS session_date
),
members AS (
    -- the universe's members on the session (raw.universe_members' active window)
    SELECT ticker, member_order FROM bw.members_on($universe, (SELECT session_date FROM asked))
),
history AS (
    -- marts.close_records holds every stored row that set a new highest close (and every
    -- flagged record close), so the highest close so far and the first stored session are
    -- among them
    SELECT
        r.ticker,
        max(r.close) AS record_close,
        max(r.session_date) FILTER (WHERE r.is_record_close) AS last_record_session,
        min(r.session_date) AS history_start
    FROM marts.close_records AS r
    CROSS JOIN asked AS a
    WHERE r.session_date <= a.session_date
    GROUP BY r.ticker
)
SELECT
    t.session_date,
    t.ticker,
    i.name,
    t.close,
    t.is_record_close,
    t.record_closes_ytd,
    h.last_record_session,
    h.record_close,
    t.close / h.record_close - 1 AS pct_from_record,
    h.history_start
FROM marts.technicals AS t
JOIN members AS m ON m.ticker = t.ticker
JOIN history AS h ON h.ticker = t.ticker
LEFT JOIN raw.instruments AS i ON i.ticker = t.ticker
WHERE t.session_date = (SELECT session_date FROM asked)
ORDER BY m.member_order, t.ticker;
