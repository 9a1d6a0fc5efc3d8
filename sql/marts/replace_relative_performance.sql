-- Replace the sessions of incoming_range (first_session..last_session) in marts.relative_performance
-- with the computed rows in incoming_rows (both registered by the caller).
DELETE FROM marts.relative_performance
WHERE session_date BETWEEN (SELECT first_session FROM incoming_range) AND (SELECT last_session FROM incoming_range);
INSERT INTO marts.relative_performance BY NAME
SELECT * FROM incoming_rows
WHERE session_date BETWEEN (SELECT first_session FROM incoming_range) AND (SELECT last_session FROM incoming_range);
