-- The renamed table whose rows were rewritten in order ({source}).
DROP TABLE {source};
