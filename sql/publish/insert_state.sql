-- One published state (columns of meta.published_states, in order).
INSERT INTO pub.meta.published_states VALUES ($1, $2, $3::DATE[], $4, $5, $6, $7, $8, $9, $10, $11, $12);
