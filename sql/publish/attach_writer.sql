-- Attach the writer's file at path $1 read-only as src (the catalog a publish copies from).
ATTACH $1 AS src (READ_ONLY);
