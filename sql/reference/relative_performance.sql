-- Reference implementation of marts.relative_performance
-- (bellwether.metrics.relative.relative_performance), written from the definitions in plain
-- DuckDB SQL (full history, no seed).
--
-- Input relations (registered by the caller):
--   returns(ticker, session_date, close, ret_1d, ret_ytd)  marts.daily_returns rows (ret_1d is
--                                                          NULL on a bar after a missing session)
--   pairs(ticker, benchmark)                               configured pairs
--
-- Definitions, per pair, on every session where the ticker has a row:
--   excess_ret_1d = ret_1d - benchmark ret_1d; excess_ret_ytd likewise (NULL if either is);
--   price_ratio = close / benchmark close (NULL without a benchmark row);
--   outperf_streak = consecutive rows ending today whose ret_1d is above the benchmark's;
--   underperf_streak likewise below. Equal returns, a NULL return on either side or no
--   benchmark row end both runs (the streak is "rows since the last row that is not an
--   outperformance", a running max).
-- Output ordered by ticker, benchmark, session_date.
WITH legs AS (
    SELECT p.ticker, p.benchmark, r.session_date,
           r.close, r.ret_1d, r.ret_ytd,
           b.close AS benchmark_close, b.ret_1d AS benchmark_ret_1d, b.ret_ytd AS benchmark_ret_ytd,
           CASE
               WHEN r.ret_1d > b.ret_1d THEN 1
               WHEN r.ret_1d < b.ret_1d THEN -1
               ELSE 0
           END AS side,
           row_number() OVER (PARTITION BY p.ticker, p.benchmark ORDER BY r.session_date) AS n
    FROM pairs AS p
    JOIN returns AS r ON r.ticker = p.ticker
    LEFT JOIN returns AS b ON b.ticker = p.benchmark AND b.session_date = r.session_date
)
SELECT
    ticker,
    benchmark,
    session_date,
    ret_1d - benchmark_ret_1d AS excess_ret_1d,
    close / benchmark_close AS price_ratio,
    CAST(n - coalesce(max(CASE WHEN side <> 1 THEN n END) OVER so_far, 0) AS INTEGER) AS outperf_streak,
    CAST(n - coalesce(max(CASE WHEN side <> -1 THEN n END) OVER so_far, 0) AS INTEGER) AS underperf_streak,
    ret_ytd - benchmark_ret_ytd AS excess_ret_ytd,
    ret_1d,
    benchmark_ret_1d,
    ret_ytd,
    benchmark_ret_ytd
FROM legs
WINDOW so_far AS (
    PARTITION BY ticker, benchmark ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
)
ORDER BY ticker, benchmark, session_date
