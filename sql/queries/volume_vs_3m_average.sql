-- Question: How does each member's volume on a date compare with its 3-month (63-session)
--   average volume?
--
-- Parameters:
--   $as_of     DATE     the day asked about; resolved to the last NYSE session on or before it
--   $universe  VARCHAR  a universe of raw.universe_members (its members on the session), e.g. 'broad_etfs' or 'indices'
--
-- Columns:
--   session_date   DATE     the resolved session
--   ticker         VARCHAR  universe member
--   name           VARCHAR  instrument name (raw.instruments)
--   volume         BIGINT   shares traded on session_date; NULL where the source has none (^RUT)
--   avg_volume_63  DOUBLE   mean volume of the 63 sessions ending the PREVIOUS session (today excluded)
--   rel_volume     DOUBLE   volume / avg_volume_63
--   pct_vs_avg_63  DOUBLE   rel_volume - 1 (a fraction: 0.25 = 25% above average)
--   avg_volume_20  DOUBLE   mean volume of the 20 sessions ending the previous session
--   bars_before    BIGINT   the member's bars stored in raw.daily_bars before session_date
--                           (marts.technicals.bars_to_date - 1: the row is the session's bar)
--
-- Notes: one row per member with a bar on the session, in universe order. From
--   marts.technicals; averages are NULL until 63 (20) earlier sessions have bars
--   (bars_before tells a short history from a gap).
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
    t.volume,
    t.avg_volume_63,
    t.rel_volume,
    t.rel_volume - 1 AS pct_vs_avg_63,
    t.avg_volume_20,
    t.bars_to_date - 1 AS bars_before
FROM marts.technicals AS t
JOIN members AS m ON m.ticker = t.ticker
LEFT JOIN raw.instruments AS i ON i.ticker = t.ticker
WHERE t.session_date = (SELECT session_date FROM asked)
ORDER BY m.member_order, t.ticker;
