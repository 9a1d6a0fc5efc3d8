-- The ids of the states recorded in the generation being updated.
SELECT state_id FROM pub.meta.published_states;
