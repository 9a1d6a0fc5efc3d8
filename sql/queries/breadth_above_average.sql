-- Question: What share of a universe's members closed above their simple moving average
--   over any number of sessions on a date?
--
-- Parameters:
--   $as_of     DATE     the day asked about; resolved to the last NYSE session on or before it
--   $universe  VARCHAR  a universe of raw.universe_members, e.g. 'sp500_sample'
--   $sessions  INTEGER  the window length in NYSE sessions (today included), e.g. 100
--
-- Columns:
--   session_date      DATE     the resolved session
--   universe          VARCHAR  the universe
--   sessions          INTEGER  the window length
--   members           INTEGER  members with a bar on session_date
--   members_with_sma  INTEGER  of those, members with a bar on every session of the window
--   pct_above_sma     DOUBLE   percent (0-100) of members_with_sma closing above their average (bw.is_above_average); NULL unless members_with_sma >= 95% of members
--
-- Notes: one row. From raw.daily_bars (not gated), with the rules of marts.breadth's
--   pct_above_sma_20/50/200 (a window counts sessions; the 95% coverage rule). For the 20, 50
--   and 200-session shares use breadth_on_date.
WITH asked AS (
    SELECT bw.session_on_or_before($as_of::DATE) AS session_date
),
window_sessions AS (
    SELECT s.session_date
    FROM raw.trading_sessions AS s
    WHERE s.session_date <= (SELECT session_date FROM asked)
    ORDER BY s.session_date DESC
    LIMIT $sessions
),
per_member AS (
    SELECT
        b.ticker,
        count(*) AS bars,
        avg(b.close) AS sma,
        max(b.close) FILTER (WHERE b.session_date = (SELECT session_date FROM asked)) AS close
    FROM raw.daily_bars AS b
    JOIN bw.members_on($universe, (SELECT session_date FROM asked)) AS m ON m.ticker = b.ticker
    WHERE b.session_date IN (SELECT session_date FROM window_sessions)
    GROUP BY b.ticker
),
counts AS (
    SELECT
        count(*) FILTER (WHERE close IS NOT NULL)::INTEGER AS members,
        count(*) FILTER (WHERE close IS NOT NULL AND bars = $sessions)::INTEGER AS members_with_sma,
        count(*) FILTER (WHERE close IS NOT NULL AND bars = $sessions AND bw.is_above_average(close, sma)) AS above
    FROM per_member
)
SELECT
    (SELECT session_date FROM asked) AS session_date,
    $universe AS universe,
    $sessions::INTEGER AS sessions,
    c.members,
    c.members_with_sma,
    CASE
        WHEN c.members > 0 AND c.members_with_sma >= 0.95 * c.members
            THEN 100.0 * c.above / c.members_with_sma
    END AS pct_above_sma
FROM counts AS c;
