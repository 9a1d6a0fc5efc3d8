-- Reference implementation of marts.sector_performance
-- (bellwether.metrics.sectors.sector_performance) in plain DuckDB SQL.
--
-- Input relations (registered by the caller):
--   returns(ticker, session_date, ret_1d, ret_ytd)  marts.daily_returns rows
--   sector_etfs(ticker, sector)                     the sector ETFs
--
-- Definitions, per session: every sector ETF row with its ret_1d and ret_ytd;
--   rank_1d = 1 + the number of sector ETFs with a strictly higher ret_1d that session
--   (1 = best, ties share the better rank), NULL where ret_1d is NULL;
--   sector_count = the number of sector ETFs with a ret_1d that session.
-- Output ordered by session_date, rank_1d (NULLs last), ticker.
SELECT
    r.session_date,
    e.sector,
    r.ticker,
    r.ret_1d,
    r.ret_ytd,
    CAST(CASE
        WHEN r.ret_1d IS NOT NULL
            THEN rank() OVER (PARTITION BY r.session_date, r.ret_1d IS NULL ORDER BY r.ret_1d DESC)
    END AS INTEGER) AS rank_1d,
    CAST(count(r.ret_1d) OVER (PARTITION BY r.session_date) AS INTEGER) AS sector_count
FROM returns AS r
JOIN sector_etfs AS e ON e.ticker = r.ticker
ORDER BY r.session_date, rank_1d NULLS LAST, r.ticker
