-- Question: What did market breadth look like on a date: advancers and decliners, the A/D
--   line, the McClellan oscillator, members above their moving averages, new highs and lows?
--
-- Parameters:
--   $as_of     DATE     the day asked about; resolved to the last NYSE session on or before it
--   $universe  VARCHAR  a breadth universe, e.g. 'sp500_sample'
--
-- Columns:
--   session_date       DATE     the resolved session
--   universe           VARCHAR  the universe
--   members            INTEGER  members with a bar on session_date
--   universe_size      INTEGER  members configured
--   members_compared   INTEGER  members whose previous session also has a bar
--   advancers          INTEGER  members closing above the previous close
--   decliners          INTEGER  members closing below it
--   unchanged          INTEGER  members closing unchanged (at published precision)
--   net_advances       BIGINT   advancers - decliners
--   ad_line            BIGINT   cumulative net_advances over the stored history
--   mcclellan_osc      DOUBLE   EMA19 - EMA39 of net_advances
--   pct_above_sma_20   DOUBLE   percent (0-100) of members with an SMA 20 closing above it
--   pct_above_sma_50   DOUBLE   the same for SMA 50
--   pct_above_sma_200  DOUBLE   the same for SMA 200
--   new_highs_52w      INTEGER  members whose high is their 52-week high (NULL below 95% coverage)
--   new_lows_52w       INTEGER  members whose low is their 52-week low (NULL below 95% coverage)
--   members_with_52w   INTEGER  members with a defined 52-week range (the base of new highs/lows)
--
-- Notes: at most one row, from marts.breadth. No row on sessions where fewer than 95% of
--   the members have a bar (in the bundled data the sample covers 2025-06-02..2026-01-30).
--   pct_above_sma_N and the 52-week counts are NULL unless at least 95% of the session's
--   members have that much history (in the bundled sample the 200-day and 52-week figures
--   are therefore NULL: the constituents cover 168 sessions).
WITH asked AS (
    SELECT bw.session_on_or_before($as_of::DATE) AS session_date
)
SELECT
    b.session_date,
    b.universe,
    b.members,
    b.universe_size,
    b.members_compared,
    b.advancers,
    b.decliners,
    b.unchanged,
    b.net_advances,
    b.ad_line,
    b.mcclellan_osc,
    b.pct_above_sma_20,
    b.pct_above_sma_50,
    b.pct_above_sma_200,
    b.new_highs_52w,
    b.new_lows_52w,
    b.members_with_52w
FROM marts.breadth AS b
WHERE b.universe = $universe AND b.session_date = (SELECT session_date FROM asked);
