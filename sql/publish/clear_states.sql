DELETE FROM pub.meta.published_states;
