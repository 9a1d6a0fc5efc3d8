-- Question: How far is each member of a universe from its 52-week high (and above its
--   52-week low) on a date, and when was that high set?
--
-- Parameters:
--   $as_of     DATE     the day asked about; resolved to the last NYSE session on or before it
--   $universe  VARCHAR  a universe of raw.universe_members (its members on the session), e.g. 'indices' or 'broad_etfs'
--
-- Columns:
--   session_date       DATE     the resolved session
--   ticker             VARCHAR  universe member
--   name               VARCHAR  instrument name (raw.instruments)
--   close              DOUBLE   close on session_date
--   high_52w           DOUBLE   highest intraday high of the 252 sessions ending on session_date
--   high_52w_session   DATE     the latest session in that window whose high is high_52w
--   pct_from_high_52w  DOUBLE   close / high_52w - 1 (a fraction, <= 0)
--   low_52w            DOUBLE   lowest intraday low of the same window
--   pct_above_low_52w  DOUBLE   close / low_52w - 1 (a fraction, >= 0)
--   is_new_high_52w    BOOLEAN  today's high is the 52-week high
--   is_new_low_52w     BOOLEAN  today's low is the 52-week low
--
-- Notes: one row per member with a bar on the session, in universe order. From
--   marts.technicals: the 52-week figures are NULL until a ticker has 252 sessions of
--   history without a gap (so through 2024-12-30 in the bundled data, and for every S&P
--   500 constituent of the sample).
WITH asked AS (
    SELECT bw.session_on_or_before($as_of::DATE) AS session_date
),
members AS (
    -- the universe's members on the session (raw.universe_members' active window)
    SELECT ticker, member_order FROM bw.members_on($universe, (SELECT session_date FROM asked))
),
today AS (
    SELECT t.*, m.member_order
    FROM marts.technicals AS t
    JOIN members AS m ON m.ticker = t.ticker
    WHERE t.session_date = (SELECT session_date FROM asked)
)
SELECT
    t.session_date,
    t.ticker,
    i.name,
    t.close,
    t.high_52w,
    t.high_52w_session,
    t.pct_from_high_52w,
    t.low_52w,
    t.close / t.low_52w - 1 AS pct_above_low_52w,
    t.is_new_high_52w,
    t.is_new_low_52w
FROM today AS t
LEFT JOIN raw.instruments AS i ON i.ticker = t.ticker
ORDER BY t.member_order, t.ticker;
