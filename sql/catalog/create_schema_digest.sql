-- Where a warehouse records the digest of the schema files it was brought up to date with.
CREATE SCHEMA IF NOT EXISTS bw_meta;
CREATE TABLE IF NOT EXISTS bw_meta.schema_digest (k INTEGER PRIMARY KEY, digest VARCHAR NOT NULL);
