-- Tickers with a bar on session $1.
SELECT ticker FROM raw.daily_bars_stored WHERE session_date = $1;
