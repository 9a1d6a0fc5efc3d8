-- Each ticker's last stored marts.technicals row with Wilder's RSI averages in sessions
-- $1..$2 (the lookback before a build): the state a later build continues Wilder's
-- recursion, its count of stored bars and its record closes (the highest close to date and
-- the year's count) from, also for a ticker without a bar (or with a withheld row) on $2.
-- Only the tickers in $3 when not NULL.
SELECT ticker, session_date, rsi_avg_gain_14, rsi_avg_loss_14, bars_to_date,
       max_close_to_date, record_closes_ytd
FROM marts.technicals
WHERE session_date BETWEEN $1 AND $2
  AND rsi_avg_gain_14 IS NOT NULL
  AND rsi_avg_loss_14 IS NOT NULL
  AND ($3::VARCHAR[] IS NULL OR ticker IN (SELECT unnest($3::VARCHAR[])))
QUALIFY row_number() OVER (PARTITION BY ticker ORDER BY session_date DESC) = 1;
