-- Insert a build's streak run history: the registered frames incoming_since and
-- incoming_ends, in session order.
INSERT INTO marts.streak_since BY NAME SELECT * FROM incoming_since ORDER BY session_date;
INSERT INTO marts.streak_history BY NAME SELECT * FROM incoming_ends ORDER BY run_end;
