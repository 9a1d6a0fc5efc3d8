-- The stored period base of the month starting $1 of each ticker in $2 (its last stored bar
-- before that day, from marts.period_bases), with the bar's close and adj_close: the seed of
-- a daily_returns build whose bars start on $1. A ticker without a base there has no bar
-- before $1.
SELECT b.ticker, b.close AS base_close, b.adj_close AS base_adj_close
FROM marts.period_bases AS p
JOIN raw.daily_bars AS b ON b.ticker = p.ticker AND b.session_date = p.base_session
WHERE p.period_start = $1
  AND p.ticker IN (SELECT unnest($2::VARCHAR[]));
