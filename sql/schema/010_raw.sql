-- Raw layer: what the sources delivered, validated, keyed by (ticker, session_date).
-- Applied on every writable connection; every statement is idempotent.
CREATE SCHEMA IF NOT EXISTS raw;

-- One row per instrument and NYSE session. Prices are Yahoo's "as traded" prices
-- (split-adjusted, not dividend-adjusted); adj_close is adjusted for dividends and splits.
-- volume is NULL where the source publishes none (e.g. ^RUT in the bundled sample).
-- Stored in raw.daily_bars_stored and read through the view raw.daily_bars (below), which
-- applies each ticker's raw.adj_close_scale to adj_close and dividend_factor: the table
-- holds those two columns divided by the scale of their ticker at the time they were
-- written. Query raw.daily_bars; only the landing writes the stored table.
CREATE TABLE IF NOT EXISTS raw.daily_bars_stored (
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

-- Every stored bar is on the basis of every corporate action known for its ticker (see
-- docs/METRICS.md, "Corporate actions"): basis_session is the session through which the
-- delivered values already reflected actions (the source's snapshot date);
-- split_factor / dividend_factor are what Bellwether applied since delivery:
--   stored open/high/low/close = delivered / split_factor
--   stored volume              = round(delivered * split_factor)
--   stored adj_close           = delivered / split_factor * dividend_factor
-- (1 and 1 for a bar stored as delivered). Warehouses created before these columns existed
-- get basis_session = session_date (delivered on the basis of its own session).
ALTER TABLE raw.daily_bars_stored ADD COLUMN IF NOT EXISTS basis_session DATE;
ALTER TABLE raw.daily_bars_stored ADD COLUMN IF NOT EXISTS split_factor DOUBLE DEFAULT 1.0;
ALTER TABLE raw.daily_bars_stored ADD COLUMN IF NOT EXISTS dividend_factor DOUBLE DEFAULT 1.0;
-- The volume as delivered, kept where it is not the stored volume (split_factor <> 1): a
-- source's volume is a whole number of shares, so round(delivered * split_factor) loses it
-- under a reverse split, and each later re-basing is computed from it, not from the stored
-- (rounded) volume. NULL where split_factor = 1 (the stored volume is the delivered one) and
-- on bars re-based before this column existed (their delivered volume is taken as
-- round(volume / split_factor)).
ALTER TABLE raw.daily_bars_stored ADD COLUMN IF NOT EXISTS delivered_volume BIGINT;

-- Per ticker, the factor every stored adj_close and dividend_factor of the ticker is read
-- multiplied by (no row: 1). A dividend whose ex-date is after every stored bar of its
-- ticker (the daily case: it goes ex on the session being landed) multiplies every earlier
-- adj_close by its factor; the landing multiplies the ticker's scale by it instead of
-- rewriting the ticker's whole history, and stores later bars divided by the new scale
-- (bellwether/landing.py, docs/METRICS.md "Corporate actions"). Shared by the views
-- raw.daily_bars and marts.daily_returns, so both move in the landing's transaction.
CREATE TABLE IF NOT EXISTS raw.adj_close_scale (
    ticker  VARCHAR PRIMARY KEY,
    scale   DOUBLE  NOT NULL
);

-- The bars as every reader sees them (the public table of the SQL interface): the stored
-- rows with adj_close and dividend_factor on the ticker's current basis.
CREATE OR REPLACE VIEW raw.daily_bars AS
SELECT b.* REPLACE (
    b.adj_close * coalesce(s.scale, 1.0) AS adj_close,
    CASE WHEN s.scale IS NULL THEN b.dividend_factor
         ELSE coalesce(b.dividend_factor, 1.0) * s.scale END AS dividend_factor
)
FROM raw.daily_bars_stored AS b
LEFT JOIN raw.adj_close_scale AS s ON s.ticker = b.ticker;

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
-- The basis the action's value was delivered on (a dividend per share is split-adjusted
-- by the source as of its snapshot).
ALTER TABLE raw.corporate_actions ADD COLUMN IF NOT EXISTS basis_session DATE;

-- Every re-basing of stored history: an action applied to (or, when the source withdrew or
-- revised it, taken back from) the bars of its ticker before the ex-date, in the landing's
-- transaction. factor is the price divisor of a split (new shares per old share) or the
-- adj_close multiplier of a dividend (1 - dividend / previous close); for a withdrawal,
-- the factor that was taken back.
CREATE TABLE IF NOT EXISTS raw.rebasings (
    ticker            VARCHAR NOT NULL,
    ex_date           DATE    NOT NULL,
    action            VARCHAR NOT NULL,
    value             DOUBLE,
    factor            DOUBLE,
    change            VARCHAR NOT NULL CHECK (change IN ('applied', 'withdrawn', 'revised')),
    first_session     DATE,
    last_session      DATE,
    bars_rewritten    BIGINT  NOT NULL,
    ingest_id         VARCHAR NOT NULL,
    run_id            VARCHAR,
    rebased_at        TIMESTAMPTZ NOT NULL
);
-- How the bars were brought onto the new basis: 'rewrite' (first_session..last_session
-- rewritten, bars_rewritten of them) or 'scale' (a dividend after every stored bar of its
-- ticker: raw.adj_close_scale multiplied by factor, no bar rewritten, first_session and
-- last_session NULL).
ALTER TABLE raw.rebasings ADD COLUMN IF NOT EXISTS rebased_by VARCHAR DEFAULT 'rewrite';

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

-- The configured relative-performance pairs (config/universe.yaml).
CREATE TABLE IF NOT EXISTS raw.relative_pairs (
    ticker     VARCHAR NOT NULL,
    benchmark  VARCHAR NOT NULL,
    PRIMARY KEY (ticker, benchmark)
);

-- NYSE (XNYS) sessions with their published open and close.
CREATE TABLE IF NOT EXISTS raw.trading_sessions (
    session_date  DATE PRIMARY KEY,
    open_at       TIMESTAMPTZ NOT NULL,
    close_at      TIMESTAMPTZ NOT NULL,
    is_half_day   BOOLEAN NOT NULL
);

-- When an action was first applied to the stored history (NULL: not yet effective, i.e.
-- announced for a session its ticker has no bar on or after yet).
ALTER TABLE raw.corporate_actions ADD COLUMN IF NOT EXISTS applied_at TIMESTAMPTZ;
