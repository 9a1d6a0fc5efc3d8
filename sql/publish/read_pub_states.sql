-- Every published state recorded in the generation being brought up to date (oldest first).
SELECT state_id, run_id, run_sessions, first_session, last_session, published_at, generation,
       method, delta_sessions, watermarks, table_rows
FROM pub.meta.published_states
ORDER BY state_id;
