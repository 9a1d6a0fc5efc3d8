-- Rejected rows on sessions $1..$2.
SELECT ticker, session_date, reason FROM raw.rejected_bars WHERE session_date BETWEEN $1 AND $2;
