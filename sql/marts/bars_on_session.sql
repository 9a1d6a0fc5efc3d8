-- Tickers with a bar on session $1.
SELECT ticker FROM raw.daily_bars WHERE session_date = $1;
