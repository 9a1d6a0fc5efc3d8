-- Insert a build's period bases: the registered frame incoming_state, month by month.
INSERT INTO marts.period_bases BY NAME SELECT * FROM incoming_state ORDER BY period_start, ticker;
