-- Stored corporate actions of the tickers in $1.
SELECT ticker, ex_date, action, value, basis_session, applied_at
FROM raw.corporate_actions
WHERE ticker IN (SELECT unnest($1::VARCHAR[]));
