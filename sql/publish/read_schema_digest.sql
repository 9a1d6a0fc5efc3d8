SELECT max(digest) FROM pub.meta.schema_digest;
