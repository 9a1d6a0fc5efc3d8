-- Reference implementation of marts.breadth (bellwether.metrics.breadth.breadth), written
-- from the definitions in plain DuckDB SQL (full history, no seed).
--
-- Input relations (registered by the caller):
--   members(universe, ticker)                  configured membership (universe_size = count)
--   streaks(ticker, session_date, direction)   marts.streaks rows (one per bar)
--   technicals(ticker, session_date, close, sma_20, sma_50, sma_200, high_52w,
--              is_new_high_52w, is_new_low_52w) marts.technicals rows (one per bar)
--
-- Definitions, per universe and session:
--   members = members with a bar (a streaks/technicals row); the session is covered, and gets
--   a row, only when members >= 95% of universe_size (members * 100 >= 95 * universe_size);
--   members_compared = members with a direction; advancers / decliners / unchanged = members
--   with direction +1 / -1 / 0; net_advances = advancers - decliners;
--   ad_line = running sum of net_advances over the covered sessions;
--   net_adv_ema_19 / _39: EMA of net_advances over the covered sessions with alpha 0.10 /
--   0.05, starting at the first covered session's value (e_0 = x_0,
--   e_m = e_{m-1} + alpha (x_m - e_{m-1})). Unrolled, with u_0 = x_0 / alpha, u_k = x_k:
--       e_m = sum_{k <= m} alpha (1 - alpha)^(m - k) u_k
--   computed with window sums in blocks of 1000 sessions (see technicals.sql for the RSI);
--   mcclellan_osc = net_adv_ema_19 - net_adv_ema_39;
--   pct_above_sma_N = 100 * (members with close - sma_N > 1e-9 * |sma_N|: above it by more than
--   one part in a billion, the rule of bw.is_above_average) / (members with an sma_N), NULL unless
--   at least 95% of the session's members have an sma_N; new_highs_52w / new_lows_52w =
--   members flagged, NULL unless at least 95% of the members have a 52-week range;
--   members_with_52w = members with a high_52w.
-- Output ordered by universe, session_date.
WITH sizes AS (
    SELECT universe, count(*) AS universe_size
    FROM members
    GROUP BY universe
),
daily AS (
    SELECT m.universe, s.session_date,
           count(*) AS members,
           count(*) FILTER (WHERE s.direction = 1) AS advancers,
           count(*) FILTER (WHERE s.direction = -1) AS decliners,
           count(*) FILTER (WHERE s.direction = 0) AS unchanged,
           count(s.direction) AS members_compared,
           100 * CAST(count(*) FILTER (WHERE t.close - t.sma_20 > 1e-9 * abs(t.sma_20)) AS DOUBLE) / nullif(count(t.sma_20), 0)
               AS pct_above_sma_20,
           100 * CAST(count(*) FILTER (WHERE t.close - t.sma_50 > 1e-9 * abs(t.sma_50)) AS DOUBLE) / nullif(count(t.sma_50), 0)
               AS pct_above_sma_50,
           100 * CAST(count(*) FILTER (WHERE t.close - t.sma_200 > 1e-9 * abs(t.sma_200)) AS DOUBLE) / nullif(count(t.sma_200), 0)
               AS pct_above_sma_200,
           count(*) FILTER (WHERE t.is_new_high_52w) AS new_highs_52w,
           count(*) FILTER (WHERE t.is_new_low_52w) AS new_lows_52w,
           count(t.high_52w) AS members_with_52w,
           count(t.sma_20) AS with_sma_20,
           count(t.sma_50) AS with_sma_50,
           count(t.sma_200) AS with_sma_200
    FROM members AS m
    JOIN streaks AS s ON s.ticker = m.ticker
    JOIN technicals AS t ON t.ticker = s.ticker AND t.session_date = s.session_date
    GROUP BY m.universe, s.session_date
),
covered AS (
    SELECT d.*, z.universe_size,
           d.advancers - d.decliners AS net_advances,
           row_number() OVER (PARTITION BY d.universe ORDER BY d.session_date) - 1 AS k
    FROM daily AS d
    JOIN sizes AS z ON z.universe = d.universe
    WHERE d.members * 100 >= 95 * z.universe_size
),
terms AS (
    SELECT *, k // 1000 AS block, k - (k // 1000) * 1000 AS pos,
           CASE WHEN k = 0 THEN net_advances / CAST(0.10 AS DOUBLE) ELSE net_advances END AS u_19,
           CASE WHEN k = 0 THEN net_advances / CAST(0.05 AS DOUBLE) ELSE net_advances END AS u_39
    FROM covered
),
in_block AS (   -- sum over the block so far of u_k (1 - alpha)^-(k - block start)
    SELECT *,
           sum(u_19 * pow(0.90, -pos)) OVER so_far AS s_19,
           sum(u_39 * pow(0.95, -pos)) OVER so_far AS s_39
    FROM terms
    WINDOW so_far AS (PARTITION BY universe, block ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
block_end AS (
    SELECT universe, block,
           0.10 * pow(0.90, pos) * s_19 AS end_19,
           0.05 * pow(0.95, pos) * s_39 AS end_39
    FROM in_block
    WHERE pos = 999
),
carried AS (
    SELECT b.universe, b.block,
           coalesce(sum(e.end_19 * pow(0.90, (b.block - e.block - 1) * 1000)), 0.0) AS c_19,
           coalesce(sum(e.end_39 * pow(0.95, (b.block - e.block - 1) * 1000)), 0.0) AS c_39
    FROM (SELECT DISTINCT universe, block FROM terms) AS b
    LEFT JOIN block_end AS e ON e.universe = b.universe AND e.block < b.block
    GROUP BY b.universe, b.block
),
emas AS (
    SELECT i.*,
           0.10 * pow(0.90, i.pos) * i.s_19 + pow(0.90, i.pos + 1) * c.c_19 AS net_adv_ema_19,
           0.05 * pow(0.95, i.pos) * i.s_39 + pow(0.95, i.pos + 1) * c.c_39 AS net_adv_ema_39
    FROM in_block AS i
    JOIN carried AS c ON c.universe = i.universe AND c.block = i.block
)
SELECT
    universe,
    session_date,
    CAST(members AS INTEGER) AS members,
    CAST(universe_size AS INTEGER) AS universe_size,
    CAST(advancers AS INTEGER) AS advancers,
    CAST(decliners AS INTEGER) AS decliners,
    CAST(unchanged AS INTEGER) AS unchanged,
    CAST(sum(net_advances) OVER (
        PARTITION BY universe ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS BIGINT) AS ad_line,
    net_adv_ema_19 - net_adv_ema_39 AS mcclellan_osc,
    CASE WHEN with_sma_20 * 100 >= 95 * members THEN pct_above_sma_20 END AS pct_above_sma_20,
    CASE WHEN with_sma_50 * 100 >= 95 * members THEN pct_above_sma_50 END AS pct_above_sma_50,
    CASE WHEN with_sma_200 * 100 >= 95 * members THEN pct_above_sma_200 END AS pct_above_sma_200,
    CASE WHEN members_with_52w * 100 >= 95 * members THEN CAST(new_highs_52w AS INTEGER) END AS new_highs_52w,
    CASE WHEN members_with_52w * 100 >= 95 * members THEN CAST(new_lows_52w AS INTEGER) END AS new_lows_52w,
    CAST(members_compared AS INTEGER) AS members_compared,
    CAST(net_advances AS BIGINT) AS net_advances,
    CAST(members_with_52w AS INTEGER) AS members_with_52w,
    net_adv_ema_19,
    net_adv_ema_39
FROM emas
ORDER BY universe, session_date
