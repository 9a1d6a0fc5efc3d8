INSERT OR REPLACE INTO pub.meta.schema_digest VALUES (1, $digest);
