-- Raw layer: what the sources delivered, validated, keyed by (ticker, session_date).
-- Applied on every writable connection; every statement is idempotent.
CREATE SCHEMA IF NOT EXISTS raw;

-- One row per instrument and NYSE session. Prices are Yahoo's "as traded" prices
-- (split-adjusted, not dividend-adjusted); adj_close is adjusted for dividends and splits.
-- volume is NULL where the source publishes none (e.g. ^RUT in the bundled sample).
CREATE TABLE IF NOT EXISTS raw.daily_bars (
    ticker        VARCHAR   NOT NULL,
    session_date  DATE      NOT NULL,
    open          DOUBLE    NOT NULL,
    high          DOUBLE    NOT NULL,
    low           DOUBLE    NOT NULL,
    close         DOUBLE    NOT NULL,
    adj_close     DOUBLE    NOT NULL,
    volume        BIGINT,
    source        VARCHAR   NOT NULL,
    ingested_at   TIMESTAMPTZ NOT NULL,
    ingest_id     VARCHAR   NOT NULL,
    PRIMARY KEY (ticker, session_date)
);

-- Dividends (cash per share) and splits (new shares per old share) by ex-date.
CREATE TABLE IF NOT EXISTS raw.corporate_actions (
    ticker       VARCHAR NOT NULL,
    ex_date      DATE    NOT NULL,
    action       VARCHAR NOT NULL CHECK (action IN ('dividend', 'split')),
    value        DOUBLE  NOT NULL,
    source       VARCHAR NOT NULL,
    ingested_at  TIMESTAMPTZ NOT NULL,
    ingest_id    VARCHAR NOT NULL,
    PRIMARY KEY (ticker, ex_date, action)
);

-- Rows that failed hard validation, with every reason; never silently dropped.
-- Re-landing the same tickers and sessions from a fixed source replaces them.
CREATE TABLE IF NOT EXISTS raw.rejected_bars (
    ticker        VARCHAR,
    session_date  DATE,
    open          DOUBLE,
    high          DOUBLE,
    low           DOUBLE,
    close         DOUBLE,
    adj_close     DOUBLE,
    volume        DOUBLE,
    reason        VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    ingest_id     VARCHAR NOT NULL,
    run_id        VARCHAR,
    rejected_at   TIMESTAMPTZ NOT NULL
);

-- One row per landing: what was asked for, what came back, what landed.
CREATE TABLE IF NOT EXISTS raw.ingest_runs (
    ingest_id          VARCHAR PRIMARY KEY,
    run_id             VARCHAR,
    source             VARCHAR NOT NULL,
    start_session      DATE    NOT NULL,
    end_session        DATE    NOT NULL,
    sessions           INTEGER NOT NULL,
    symbols_requested  INTEGER NOT NULL,
    symbols_received   INTEGER NOT NULL,
    symbols_failed     INTEGER NOT NULL,
    failed_symbols     VARCHAR[] NOT NULL,
    failures           JSON    NOT NULL,   -- {"SYMBOL": "reason", ...}
    rows_received      BIGINT  NOT NULL,
    rows_landed        BIGINT  NOT NULL,
    rows_rejected      BIGINT  NOT NULL,
    actions_landed     BIGINT  NOT NULL,
    archive_path       VARCHAR,
    status             VARCHAR NOT NULL CHECK (status IN ('succeeded', 'failed')),
    error              VARCHAR,
    started_at         TIMESTAMPTZ NOT NULL,
    finished_at        TIMESTAMPTZ NOT NULL
);

-- The instrument universe from config/universe.yaml.
CREATE TABLE IF NOT EXISTS raw.instruments (
    ticker          VARCHAR PRIMARY KEY,
    name            VARCHAR,
    kind            VARCHAR NOT NULL,
    sector          VARCHAR,
    size_class      VARCHAR,
    price_decimals  INTEGER NOT NULL
);

-- active_from/active_to: sessions on which the membership list applies (NULL = open).
CREATE TABLE IF NOT EXISTS raw.universe_members (
    universe      VARCHAR NOT NULL,
    ticker        VARCHAR NOT NULL,
    member_order  INTEGER NOT NULL,
    active_from   DATE,
    active_to     DATE,
    PRIMARY KEY (universe, ticker)
);
-- warehouses created before the active window existed
ALTER TABLE raw.universe_members ADD COLUMN IF NOT EXISTS active_from DATE;
ALTER TABLE raw.universe_members ADD COLUMN IF NOT EXISTS active_to DATE;

-- NYSE (XNYS) sessions with their published open and close.
CREATE TABLE IF NOT EXISTS raw.trading_sessions (
    session_date  DATE PRIMARY KEY,
    open_at       TIMESTAMPTZ NOT NULL,
    close_at      TIMESTAMPTZ NOT NULL,
    is_half_day   BOOLEAN NOT NULL
);
