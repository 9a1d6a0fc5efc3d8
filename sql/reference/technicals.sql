-- Reference implementation of marts.technicals (bellwether.metrics.technicals.technicals),
-- written from the definitions in plain DuckDB SQL (full history, no seed).
--
-- Input relations (registered by the caller):
--   bars(ticker, session_date, high, low, close, volume)  one row per ticker and session
--                                                          (volume may be NULL, e.g. ^RUT)
--   sessions(session_date, session_idx)                   XNYS sessions, increasing ordinals
--
-- Windows count SESSIONS (RANGE frames over session_idx): a window is defined only when
-- every session in it has a bar (its count is the window length), otherwise NULL.
--   sma_N             mean close over the N sessions ending today (N = 20, 50, 200)
--   high_52w/low_52w  max high / min low over the 252 sessions ending today;
--                     pct_from_high_52w = close / high_52w - 1; is_new_high_52w = today's
--                     high is that max (is_new_low_52w likewise); NULL without a 52w range
--   avg_volume_N      mean volume over the N sessions ending the previous session (today
--                     excluded), N = 20, 63; rel_volume = volume / avg_volume_63 when > 0
--   volatility_20d    sample stddev of the 20 log returns ln(close / close of the previous
--                     session) ending today, times sqrt(252)
--   is_record_close   close above every earlier close of the ticker (false on its first
--                     bar); record_closes_ytd = record closes in the calendar year so far
--   rsi_14            Wilder's RSI. Changes are close - previous session's close (a bar
--                     after a missing session has none). With g_k, l_k the gain and loss of
--                     the k-th change: A_14 = mean of the first 14, A_k = (13 A_{k-1} + x_k)/14.
--                     Unrolled, with u_14 = (sum of the first 14) and u_k = x_k for k > 14:
--                         A_m = sum_{14 <= k <= m} (1/14) (13/14)^(m-k) u_k
--                     a sum of non-negative terms, computed with window sums (no recursion):
--                     changes are cut into blocks of 1000 so the growth factor (14/13)^j
--                     stays far from overflow; a block's own terms are a running sum and the
--                     earlier blocks enter through their end values, decayed. A bar without
--                     a change carries the averages of the last change before it.
--                     rsi_14 = 100 A_gain / (A_gain + A_loss)  (= 100 - 100 / (1 + RS), and
--                     100 when A_loss = 0 < A_gain); NULL when both are 0 or before the 14th
--                     change. rsi_avg_gain_14 / rsi_avg_loss_14 are A_gain / A_loss.
--   bars_to_date      the ticker's bars up to and including today (1 on its first bar)
--   max_close_to_date the ticker's highest close up to and including today
--   high_52w_session  the latest session of the 252 whose high is high_52w
-- Output: one row per bar, ordered by ticker, session_date.
WITH placed AS (
    SELECT b.ticker, b.session_date, s.session_idx, b.high, b.low, b.close,
           CAST(b.volume AS BIGINT) AS volume
    FROM bars AS b
    JOIN sessions AS s ON s.session_date = b.session_date
),
moves AS (
    SELECT t.*,
           t.close - p.close AS change,
           ln(t.close / p.close) AS log_ret
    FROM placed AS t
    LEFT JOIN placed AS p ON p.ticker = t.ticker AND p.session_idx = t.session_idx - 1
),
-- RSI: one row per change, numbered k = 1, 2, ... within the ticker
changes AS (
    SELECT ticker, session_idx,
           greatest(change, 0.0) AS gain,
           greatest(-change, 0.0) AS loss,
           row_number() OVER (PARTITION BY ticker ORDER BY session_idx) AS k
    FROM moves
    WHERE change IS NOT NULL
),
terms AS (
    SELECT ticker, k, k // 1000 AS block, k - (k // 1000) * 1000 AS pos,
           CASE WHEN k < 14 THEN 0.0
                WHEN k = 14 THEN sum(gain) OVER first_14
                ELSE gain END AS u_gain,
           CASE WHEN k < 14 THEN 0.0
                WHEN k = 14 THEN sum(loss) OVER first_14
                ELSE loss END AS u_loss
    FROM changes
    WINDOW first_14 AS (PARTITION BY ticker ORDER BY k ROWS BETWEEN 13 PRECEDING AND CURRENT ROW)
),
in_block AS (   -- sum over the block so far of u_k (14/13)^(k - block start)
    SELECT *,
           sum(u_gain * pow(14 / 13, pos)) OVER so_far AS s_gain,
           sum(u_loss * pow(14 / 13, pos)) OVER so_far AS s_loss
    FROM terms
    WINDOW so_far AS (PARTITION BY ticker, block ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
block_end AS (  -- each full block's contribution to the average at its last change
    SELECT ticker, block,
           (1 / 14) * pow(13 / 14, pos) * s_gain AS end_gain,
           (1 / 14) * pow(13 / 14, pos) * s_loss AS end_loss
    FROM in_block
    WHERE pos = 999
),
carried AS (    -- the average just before each block: earlier blocks' end values, decayed
    SELECT b.ticker, b.block,
           coalesce(sum(e.end_gain * pow(13 / 14, (b.block - e.block - 1) * 1000)), 0.0) AS c_gain,
           coalesce(sum(e.end_loss * pow(13 / 14, (b.block - e.block - 1) * 1000)), 0.0) AS c_loss
    FROM (SELECT DISTINCT ticker, block FROM terms) AS b
    LEFT JOIN block_end AS e ON e.ticker = b.ticker AND e.block < b.block
    GROUP BY b.ticker, b.block
),
wilder AS (
    SELECT i.ticker, i.k,
           (1 / 14) * pow(13 / 14, i.pos) * i.s_gain + pow(13 / 14, i.pos + 1) * c.c_gain AS avg_gain,
           (1 / 14) * pow(13 / 14, i.pos) * i.s_loss + pow(13 / 14, i.pos + 1) * c.c_loss AS avg_loss
    FROM in_block AS i
    JOIN carried AS c ON c.ticker = i.ticker AND c.block = i.block
    WHERE i.k >= 14
),
windows AS (
    SELECT m.*,
           count(change) OVER to_date AS changes_so_far,
           CASE WHEN count(*) OVER s20 = 20 THEN avg(close) OVER s20 END AS sma_20,
           CASE WHEN count(*) OVER s50 = 50 THEN avg(close) OVER s50 END AS sma_50,
           CASE WHEN count(*) OVER s200 = 200 THEN avg(close) OVER s200 END AS sma_200,
           CASE WHEN count(*) OVER s252 = 252 THEN max(high) OVER s252 END AS high_52w,
           CASE WHEN count(*) OVER s252 = 252 THEN min(low) OVER s252 END AS low_52w,
           CASE WHEN count(*) OVER s252 = 252
                THEN arg_max(session_date, struct_pack(h := high, s := session_date)) OVER s252
           END AS high_52w_session,
           CASE WHEN count(volume) OVER v20 = 20 THEN avg(volume) OVER v20 END AS avg_volume_20,
           CASE WHEN count(volume) OVER v63 = 63 THEN avg(volume) OVER v63 END AS avg_volume_63,
           CASE WHEN count(log_ret) OVER s20 = 20 THEN stddev_samp(log_ret) OVER s20 * sqrt(252) END
               AS volatility_20d,
           coalesce(close > max(close) OVER before_today, false) AS is_record_close
    FROM moves AS m
    WINDOW
        to_date AS (PARTITION BY ticker ORDER BY session_idx ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
        before_today AS (PARTITION BY ticker ORDER BY session_idx ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
        s20 AS (PARTITION BY ticker ORDER BY session_idx RANGE BETWEEN 19 PRECEDING AND CURRENT ROW),
        s50 AS (PARTITION BY ticker ORDER BY session_idx RANGE BETWEEN 49 PRECEDING AND CURRENT ROW),
        s200 AS (PARTITION BY ticker ORDER BY session_idx RANGE BETWEEN 199 PRECEDING AND CURRENT ROW),
        s252 AS (PARTITION BY ticker ORDER BY session_idx RANGE BETWEEN 251 PRECEDING AND CURRENT ROW),
        v20 AS (PARTITION BY ticker ORDER BY session_idx RANGE BETWEEN 20 PRECEDING AND 1 PRECEDING),
        v63 AS (PARTITION BY ticker ORDER BY session_idx RANGE BETWEEN 63 PRECEDING AND 1 PRECEDING)
)
SELECT
    w.ticker,
    w.session_date,
    w.close,
    w.sma_20,
    w.sma_50,
    w.sma_200,
    CASE WHEN r.avg_gain + r.avg_loss > 0 THEN 100 * r.avg_gain / (r.avg_gain + r.avg_loss) END AS rsi_14,
    w.high_52w,
    w.low_52w,
    w.close / w.high_52w - 1 AS pct_from_high_52w,
    w.high = w.high_52w AS is_new_high_52w,
    w.low = w.low_52w AS is_new_low_52w,
    w.volume,
    w.avg_volume_20,
    w.avg_volume_63,
    CASE WHEN w.avg_volume_63 > 0 THEN w.volume / w.avg_volume_63 END AS rel_volume,
    w.volatility_20d,
    w.is_record_close,
    CAST(sum(CAST(w.is_record_close AS INTEGER)) OVER (
        PARTITION BY w.ticker, year(w.session_date) ORDER BY w.session_idx
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS INTEGER) AS record_closes_ytd,
    r.avg_gain AS rsi_avg_gain_14,
    r.avg_loss AS rsi_avg_loss_14,
    count(*) OVER (
        PARTITION BY w.ticker ORDER BY w.session_idx
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS bars_to_date,
    max(w.close) OVER (
        PARTITION BY w.ticker ORDER BY w.session_idx
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS max_close_to_date,
    w.high_52w_session
FROM windows AS w
LEFT JOIN wilder AS r ON r.ticker = w.ticker AND r.k = w.changes_so_far
ORDER BY w.ticker, w.session_date
