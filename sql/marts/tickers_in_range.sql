-- Tickers with a stored bar on sessions $1..$2.
SELECT DISTINCT ticker FROM raw.daily_bars_stored WHERE session_date BETWEEN $1 AND $2;
