-- Data quality: the per-session truth of every check (Dagster records a range run's check
-- once, without a partition, so each session's result is kept here).
CREATE SCHEMA IF NOT EXISTS dq;

-- One row per (session, asset, check). severity is the outcome's severity when the check
-- fails ('error' blocks downstream, 'warn' does not); for a pass, the most severe outcome
-- the check can have. scope 'row' checks name the failing tickers (failing_tickers), which
-- are withheld from per-ticker marts; scope 'session' checks judge the whole session.
CREATE TABLE IF NOT EXISTS dq.check_results (
    session_date     DATE    NOT NULL,
    asset            VARCHAR NOT NULL,
    "check"          VARCHAR NOT NULL,
    severity         VARCHAR NOT NULL CHECK (severity IN ('error', 'warn')),
    scope            VARCHAR NOT NULL CHECK (scope IN ('row', 'session')),
    passed           BOOLEAN NOT NULL,
    observed         VARCHAR,
    expected         VARCHAR,
    message          VARCHAR NOT NULL,
    failing_tickers  VARCHAR[] NOT NULL,
    run_id           VARCHAR,
    checked_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_date, asset, "check")
);

-- Sessions re-landed with a moved close (> 0.5%) or a changed adj_close basis.
CREATE TABLE IF NOT EXISTS raw.restatements (
    ticker          VARCHAR NOT NULL,
    session_date    DATE    NOT NULL,
    old_close       DOUBLE  NOT NULL,
    new_close       DOUBLE  NOT NULL,
    old_adj_close   DOUBLE  NOT NULL,
    new_adj_close   DOUBLE  NOT NULL,
    old_ingest_id   VARCHAR NOT NULL,
    ingest_id       VARCHAR NOT NULL,
    detected_at     TIMESTAMPTZ NOT NULL
);

-- Compactions of the session tables (bellwether.compaction): a table whose rows drifted out
-- of session order (a split rebuilds one ticker's whole history at the end of every table
-- that stores a price; a backfill appends older sessions) rewritten in session order, in one
-- transaction. scan_factor_*: the average number of row groups whose session range covers a
-- day, what a one-session read scans (1.0 in session order). A publish copies a table
-- compacted since the state it updates whole, in the writer's order. seconds: the rewrite,
-- before its commit.
CREATE TABLE IF NOT EXISTS dq.table_compactions (
    table_name          VARCHAR     NOT NULL,
    compacted_at        TIMESTAMPTZ NOT NULL,
    run_id              VARCHAR,
    table_rows          BIGINT      NOT NULL,
    row_groups_before   BIGINT      NOT NULL,
    row_groups_after    BIGINT      NOT NULL,
    scan_factor_before  DOUBLE      NOT NULL,
    scan_factor_after   DOUBLE      NOT NULL,
    seconds             DOUBLE      NOT NULL
);
