-- Insert a build's relative run history: the registered frames incoming_since and
-- incoming_ends, in session order.
INSERT INTO marts.relative_since BY NAME SELECT * FROM incoming_since ORDER BY session_date;
INSERT INTO marts.relative_history BY NAME SELECT * FROM incoming_ends ORDER BY run_end;
