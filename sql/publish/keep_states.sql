-- Forget the states recorded in the generation being updated that are not in the history
-- $ids (a state a killed publish wrote but never published); the rest stay as they are.
DELETE FROM pub.meta.published_states WHERE NOT list_contains($ids, state_id);
