-- One published state (columns of meta.published_states, in order).
INSERT INTO pub.meta.published_states VALUES (?, ?, ?::DATE[], ?, ?, ?, ?, ?, ?, ?, ?, ?);
