-- The last stored bar before $1 of each ticker in $2, from raw.daily_bars (a scan of the
-- history before $1): the seed of a daily_returns build whose bars start on $1, where the
-- period bases of that month were never built.
SELECT
    ticker,
    arg_max(close, session_date) AS base_close,
    arg_max(adj_close, session_date) AS base_adj_close
FROM raw.daily_bars
WHERE session_date < $1
  AND ticker IN (SELECT unnest($2::VARCHAR[]))
GROUP BY ticker;
