-- Insert a build's close records: the registered frame incoming_state, in session order.
INSERT INTO marts.close_records BY NAME SELECT * FROM incoming_state ORDER BY session_date, ticker;
