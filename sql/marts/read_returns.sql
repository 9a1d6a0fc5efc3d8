-- marts.daily_returns rows on sessions $1..$2.
SELECT * FROM marts.daily_returns WHERE session_date BETWEEN $1 AND $2;
