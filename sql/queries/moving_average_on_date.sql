-- Question: What is a ticker's simple moving average of the close over any number of
--   sessions on a date, and where does the close stand against it?
--
-- Parameters:
--   $as_of     DATE     the day asked about; resolved to the last NYSE session on or before it
--   $ticker    VARCHAR  the ticker, e.g. '^GSPC'
--   $sessions  INTEGER  the window length in NYSE sessions (today included), e.g. 100
--
-- Columns:
--   session_date  DATE     the resolved session
--   ticker        VARCHAR  the ticker
--   sessions      INTEGER  the window length
--   close         DOUBLE   close on session_date; NULL without a bar
--   sma           DOUBLE   mean close of the window's bars; NULL unless every session of the window has a bar
--   bars          INTEGER  bars in the window
--   above_sma     BOOLEAN  bw.is_above_average(close, sma): close above sma by more than 1e-9 of it
--   pct_vs_sma    DOUBLE   close / sma - 1 (a fraction)
--
-- Notes: one row. From raw.daily_bars (not gated by the quality checks), with the window
--   rule of marts.technicals (sma_20/50/200): sessions, not rows; a missing bar nulls it.
--   For the 20, 50 and 200-session averages use technicals_snapshot.
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
bars AS (
    SELECT b.session_date, b.close
    FROM raw.daily_bars AS b
    WHERE b.ticker = $ticker AND b.session_date IN (SELECT session_date FROM window_sessions)
),
agg AS (
    SELECT
        count(*)::INTEGER AS bars,
        CASE WHEN count(*) = $sessions THEN avg(close) END AS sma,
        max(close) FILTER (WHERE session_date = (SELECT session_date FROM asked)) AS close
    FROM bars
)
SELECT
    (SELECT session_date FROM asked) AS session_date,
    $ticker AS ticker,
    $sessions::INTEGER AS sessions,
    a.close,
    a.sma,
    a.bars,
    bw.is_above_average(a.close, a.sma) AS above_sma,
    a.close / a.sma - 1 AS pct_vs_sma
FROM agg AS a;
