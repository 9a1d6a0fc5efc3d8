-- Mart $1's stored rows are (or, with its queued rebuild, will be) of definition version $2.
INSERT OR REPLACE INTO bw_meta.mart_definitions (mart, version) VALUES ($1, $2);
