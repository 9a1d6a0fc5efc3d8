-- Reference implementation of marts.streaks (bellwether.metrics.streaks.streaks), written
-- from the definitions in plain DuckDB SQL (full history, no seed).
--
-- Input relations (registered by the caller):
--   bars(ticker, session_date, close, price_decimals)  one row per ticker and session;
--                                                      price_decimals = published precision
--   sessions(session_date, session_idx)                XNYS sessions with increasing ordinals
--
-- Definitions:
--   direction  +1 / -1 / 0 when today's close, rounded to the instrument's published
--              precision, is above / below / equal to the previous SESSION's close rounded
--              the same way; NULL when the previous session has no bar (first session of
--              history, a gap).
--   up_streak  number of consecutive bars ending today with direction +1 (0 if today's is
--              not +1); down_streak likewise with -1. A NULL or 0 direction ends both; as a
--              bar after a missing session has a NULL direction, a run never spans a gap.
--   A streak is "rows since the last row whose direction is not +1", a running max.
-- Output: one row per bar, ordered by ticker, session_date.
WITH placed AS (
    SELECT b.ticker, b.session_date, s.session_idx, b.close,
           round(b.close, b.price_decimals) AS shown_close
    FROM bars AS b
    JOIN sessions AS s ON s.session_date = b.session_date
),
compared AS (
    SELECT t.ticker, t.session_date, t.close,
           CAST(CASE
               WHEN t.shown_close > p.shown_close THEN 1
               WHEN t.shown_close < p.shown_close THEN -1
               WHEN t.shown_close = p.shown_close THEN 0
           END AS TINYINT) AS direction,
           row_number() OVER (PARTITION BY t.ticker ORDER BY t.session_idx) AS n
    FROM placed AS t
    LEFT JOIN placed AS p ON p.ticker = t.ticker AND p.session_idx = t.session_idx - 1
)
SELECT
    ticker,
    session_date,
    close,
    CAST(n - coalesce(max(CASE WHEN direction IS DISTINCT FROM 1 THEN n END) OVER so_far, 0) AS INTEGER)
        AS up_streak,
    CAST(n - coalesce(max(CASE WHEN direction IS DISTINCT FROM -1 THEN n END) OVER so_far, 0) AS INTEGER)
        AS down_streak,
    direction
FROM compared
WINDOW so_far AS (PARTITION BY ticker ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
ORDER BY ticker, session_date
