-- The definition version mart $1's stored rows were built with (no row: never recorded).
SELECT version FROM bw_meta.mart_definitions WHERE mart = $1;
