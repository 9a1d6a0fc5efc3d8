-- Question: What is a ticker's average daily volume over windows of different lengths
--   (10 to 100 sessions), ending the previous session or including the session itself?
--
-- Parameters:
--   $as_of   DATE     the day asked about; resolved to the last NYSE session on or before it
--   $ticker  VARCHAR  the ticker, e.g. 'IWM'
--
-- Columns:
--   session_date  DATE     the resolved session
--   ticker        VARCHAR  the ticker
--   sessions      INTEGER  window length in NYSE sessions (10, 20, 21, 30, 50, 60, 63, 65, 90, 100)
--   ending        VARCHAR  'previous' (the window ends the session before: today excluded, as marts.technicals) or 'today' (today included)
--   avg_volume    DOUBLE   mean volume of the window's bars; NULL unless every session of the window has a bar with a volume
--   bars          INTEGER  bars with a volume in the window
--
-- Notes: from raw.daily_bars (not gated). Used to say which window an "average volume"
--   quoted in a text covers when it is not the 63-session average of marts.technicals.
WITH asked AS (
    SELECT bw.session_on_or_before($as_of::DATE) AS session_date
),
numbered AS (
    SELECT s.session_date, row_number() OVER (ORDER BY s.session_date DESC) - 1 AS back
    FROM raw.trading_sessions AS s
    WHERE s.session_date <= (SELECT session_date FROM asked)
    QUALIFY back <= 101
),
windows(sessions) AS (
    VALUES (10), (20), (21), (30), (50), (60), (63), (65), (90), (100)
),
endings(ending, offset_back) AS (
    VALUES ('previous', 1), ('today', 0)
),
bars AS (
    SELECT n.back, b.volume
    FROM numbered AS n
    JOIN raw.daily_bars AS b ON b.session_date = n.session_date AND b.ticker = $ticker
    WHERE b.volume IS NOT NULL
)
SELECT
    (SELECT session_date FROM asked) AS session_date,
    $ticker AS ticker,
    w.sessions,
    e.ending,
    CASE WHEN count(b.volume) = w.sessions THEN avg(b.volume) END AS avg_volume,
    count(b.volume)::INTEGER AS bars
FROM windows AS w
CROSS JOIN endings AS e
LEFT JOIN bars AS b ON b.back >= e.offset_back AND b.back < e.offset_back + w.sessions
GROUP BY w.sessions, e.ending, e.offset_back
ORDER BY w.sessions, e.offset_back DESC;
