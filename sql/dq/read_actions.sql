-- Corporate actions with ex-dates $1..$2.
SELECT ticker, ex_date, action, value FROM raw.corporate_actions WHERE ex_date BETWEEN $1 AND $2;
