-- The record of published states, kept in every published file (bellwether.publish):
-- meta.published_states holds every state up to the file's own, meta.published_state is the
-- file's own state (the one a reader of this file sees).
CREATE SCHEMA IF NOT EXISTS meta;

CREATE TABLE IF NOT EXISTS meta.published_states (
    state_id          INTEGER PRIMARY KEY,
    run_id            VARCHAR,             -- the Dagster run (or caller's id) that was published
    run_sessions      DATE[] NOT NULL,     -- the sessions that run covered
    first_session     DATE,                -- the warehouse's first and last session of bars
    last_session      DATE,
    published_at      TIMESTAMPTZ NOT NULL,
    generation        VARCHAR NOT NULL,    -- the generation file: a, b, c, ...
    method            VARCHAR NOT NULL,    -- in place, copy or full
    delta_sessions    INTEGER,             -- sessions copied (NULL: every row of every table)
    watermarks        JSON NOT NULL,       -- {"change log table": latest stamp published}
    table_rows        JSON NOT NULL        -- {"schema.table": rows}
);

-- runs whose own publish was deferred while another run was still writing, and which this
-- state holds: {"run id": ["session", ...]} (their briefs are written with this state's)
ALTER TABLE meta.published_states ADD COLUMN IF NOT EXISTS absorbed JSON;

-- sha256 of the schema and macro files the file was last brought up to date with
CREATE TABLE IF NOT EXISTS meta.schema_digest (k INTEGER PRIMARY KEY, digest VARCHAR NOT NULL);

CREATE OR REPLACE VIEW meta.published_state AS
    SELECT * FROM meta.published_states ORDER BY state_id DESC LIMIT 1;
