-- Record the digest of the schema files just applied.
INSERT OR REPLACE INTO bw_meta.schema_digest VALUES (1, $1);
