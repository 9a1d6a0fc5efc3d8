-- The digest of the schema, macro and view files this warehouse was last brought up to
-- date with (bellwether.warehouse.ensure_schema); an error when never recorded.
SELECT max(digest) FROM bw_meta.schema_digest;
