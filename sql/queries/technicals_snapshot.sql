-- Question: Where does each member of a universe stand technically on a date: RSI, its
--   20/50/200-session moving averages (above or below), volatility and 52-week range?
--
-- Parameters:
--   $as_of     DATE     the day asked about; resolved to the last NYSE session on or before it
--   $universe  VARCHAR  a universe of raw.universe_members (its members on the session), e.g. 'indices'
--
-- Columns:
--   session_date       DATE     the resolved session
--   ticker             VARCHAR  universe member
--   name               VARCHAR  instrument name (raw.instruments)
--   close              DOUBLE   close on session_date
--   rsi_14             DOUBLE   Wilder's 14-session RSI (0-100)
--   sma_20             DOUBLE   mean close of the 20 sessions ending on session_date
--   sma_50             DOUBLE   the same over 50 sessions
--   sma_200            DOUBLE   the same over 200 sessions
--   above_sma_20       BOOLEAN  bw.is_above_average(close, sma_20): close above sma_20 by more than 1e-9 of it; NULL when sma_20 is NULL
--   above_sma_50       BOOLEAN  bw.is_above_average(close, sma_50); NULL when sma_50 is NULL
--   above_sma_200      BOOLEAN  bw.is_above_average(close, sma_200); NULL when sma_200 is NULL
--   pct_vs_sma_20      DOUBLE   close / sma_20 - 1 (a fraction)
--   pct_vs_sma_50      DOUBLE   close / sma_50 - 1
--   pct_vs_sma_200     DOUBLE   close / sma_200 - 1
--   volatility_20d     DOUBLE   annualised stdev of the 20 daily log returns ending on session_date (a fraction)
--   high_52w           DOUBLE   highest high of the 252 sessions ending on session_date
--   low_52w            DOUBLE   lowest low of that window
--   pct_from_high_52w  DOUBLE   close / high_52w - 1 (a fraction, <= 0)
--   bars_stored        BIGINT   the member's bars stored in raw.daily_bars up to session_date
--                               (marts.technicals.bars_to_date, kept by the builds)
--
-- Notes: one row per member with a bar on the session, in universe order. From
--   marts.technicals; a window that is not full (short history, a missing bar) is NULL, and
--   bars_stored tells a short history (fewer bars than the window) from a gap.
WITH asked AS (
    SELECT bw.session_on_or_before($as_of::DATE) AS session_date
),
members AS (
    -- the universe's members on the session (raw.universe_members' active window)
    SELECT ticker, member_order FROM bw.members_on($universe, (SELECT session_date FROM asked))
)
SELECT
    t.session_date,
    t.ticker,
    i.name,
    t.close,
    t.rsi_14,
    t.sma_20,
    t.sma_50,
    t.sma_200,
    bw.is_above_average(t.close, t.sma_20) AS above_sma_20,
    bw.is_above_average(t.close, t.sma_50) AS above_sma_50,
    bw.is_above_average(t.close, t.sma_200) AS above_sma_200,
    t.close / t.sma_20 - 1 AS pct_vs_sma_20,
    t.close / t.sma_50 - 1 AS pct_vs_sma_50,
    t.close / t.sma_200 - 1 AS pct_vs_sma_200,
    t.volatility_20d,
    t.high_52w,
    t.low_52w,
    t.pct_from_high_52w,
    t.bars_to_date AS bars_stored
FROM marts.technicals AS t
JOIN members AS m ON m.ticker = t.ticker
LEFT JOIN raw.instruments AS i ON i.ticker = t.ticker
WHERE t.session_date = (SELECT session_date FROM asked)
ORDER BY m.member_order, t.ticker;
