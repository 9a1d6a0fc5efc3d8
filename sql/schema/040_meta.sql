-- Bookkeeping of the code that built the warehouse (schema bw_meta, not part of the public
-- SQL interface; bw_meta.schema_digest is created by sql/catalog/create_schema_digest.sql).
CREATE SCHEMA IF NOT EXISTS bw_meta;

-- The version of each mart's definitions its stored rows were built with
-- (bellwether.registry.MartSpec.definition_version). A mart whose stored rows were built
-- with another version is rebuilt whole by its next build (bellwether.invalidation
-- .enqueue_definition_change); a mart without a row here was built before versions were
-- recorded, with version 1.
CREATE TABLE IF NOT EXISTS bw_meta.mart_definitions (
    mart     VARCHAR PRIMARY KEY,
    version  INTEGER NOT NULL
);
