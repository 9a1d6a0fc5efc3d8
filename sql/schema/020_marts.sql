-- Marts: metrics derived from raw.daily_bars by the pure polars functions in
-- bellwether/metrics. Definitions of every column: docs/METRICS.md. Returns are fractions
-- (0.01 = 1%); pct_above_* columns are percent (0-100); pct_from_high_52w is a fraction. Keyed by session; a materialization
-- replaces its sessions in one transaction.
CREATE SCHEMA IF NOT EXISTS marts;

-- Stored in marts.daily_returns_stored and read through the view marts.daily_returns (after
-- the table), which applies raw.adj_close_scale to adj_close as raw.daily_bars does.
CREATE TABLE IF NOT EXISTS marts.daily_returns_stored (
    ticker        VARCHAR NOT NULL,
    session_date  DATE    NOT NULL,
    close         DOUBLE  NOT NULL,
    ret_1d        DOUBLE,
    log_ret_1d    DOUBLE,
    ret_5d        DOUBLE,
    ret_21d       DOUBLE,
    ret_mtd       DOUBLE,
    ret_ytd       DOUBLE,
    ret_52w       DOUBLE,
    adj_close     DOUBLE  NOT NULL,
    tr_1d         DOUBLE,
    tr_ytd        DOUBLE,
    PRIMARY KEY (ticker, session_date)
);

CREATE OR REPLACE VIEW marts.daily_returns AS
SELECT m.* REPLACE (m.adj_close * coalesce(s.scale, 1.0) AS adj_close)
FROM marts.daily_returns_stored AS m
LEFT JOIN raw.adj_close_scale AS s ON s.ticker = m.ticker;

CREATE TABLE IF NOT EXISTS marts.streaks (
    ticker        VARCHAR NOT NULL,
    session_date  DATE    NOT NULL,
    close         DOUBLE  NOT NULL,
    up_streak     INTEGER NOT NULL,
    down_streak   INTEGER NOT NULL,
    direction     TINYINT,            -- +1 up, -1 down, 0 unchanged, NULL no previous bar
    PRIMARY KEY (ticker, session_date)
);

CREATE TABLE IF NOT EXISTS marts.relative_performance (
    ticker             VARCHAR NOT NULL,
    benchmark          VARCHAR NOT NULL,
    session_date       DATE    NOT NULL,
    excess_ret_1d      DOUBLE,
    price_ratio        DOUBLE,
    outperf_streak     INTEGER NOT NULL,
    underperf_streak   INTEGER NOT NULL,
    excess_ret_ytd     DOUBLE,
    ret_1d             DOUBLE,
    benchmark_ret_1d   DOUBLE,
    ret_ytd            DOUBLE,
    benchmark_ret_ytd  DOUBLE,
    PRIMARY KEY (ticker, benchmark, session_date)
);

CREATE TABLE IF NOT EXISTS marts.technicals (
    ticker             VARCHAR NOT NULL,
    session_date       DATE    NOT NULL,
    close              DOUBLE  NOT NULL,
    sma_20             DOUBLE,
    sma_50             DOUBLE,
    sma_200            DOUBLE,
    rsi_14             DOUBLE,
    high_52w           DOUBLE,
    low_52w            DOUBLE,
    pct_from_high_52w  DOUBLE,
    is_new_high_52w    BOOLEAN,
    is_new_low_52w     BOOLEAN,
    volume             BIGINT,
    avg_volume_20      DOUBLE,
    avg_volume_63      DOUBLE,
    rel_volume         DOUBLE,
    volatility_20d     DOUBLE,
    is_record_close    BOOLEAN NOT NULL,
    record_closes_ytd  INTEGER NOT NULL,
    rsi_avg_gain_14    DOUBLE,
    rsi_avg_loss_14    DOUBLE,
    bars_to_date       BIGINT,
    max_close_to_date  DOUBLE,
    high_52w_session   DATE,
    PRIMARY KEY (ticker, session_date)
);
-- A warehouse built before bars_to_date or max_close_to_date existed gets the columns,
-- counted once from the bars (later builds continue them from the stored row before them):
-- the bars stored up to the session, and the highest stored close up to it.
ALTER TABLE marts.technicals ADD COLUMN IF NOT EXISTS bars_to_date BIGINT;
ALTER TABLE marts.technicals ADD COLUMN IF NOT EXISTS max_close_to_date DOUBLE;
UPDATE marts.technicals AS t
SET bars_to_date = coalesce(t.bars_to_date, c.bars_to_date),
    max_close_to_date = coalesce(t.max_close_to_date, c.max_close_to_date)
FROM (
    SELECT
        b.ticker,
        b.session_date,
        count(*) OVER to_date AS bars_to_date,
        max(b.close) OVER to_date AS max_close_to_date
    FROM raw.daily_bars AS b
    WHERE b.ticker IN (
        SELECT DISTINCT n.ticker
        FROM marts.technicals AS n
        WHERE n.bars_to_date IS NULL OR n.max_close_to_date IS NULL
    )
    WINDOW to_date AS (PARTITION BY b.ticker ORDER BY b.session_date)
) AS c
WHERE (t.bars_to_date IS NULL OR t.max_close_to_date IS NULL)
  AND t.ticker = c.ticker AND t.session_date = c.session_date;
-- ... and high_52w_session, found once from the bars: the latest session of the 252 whose
-- high is the 52-week high (a row with a high_52w has a bar on each of those sessions, so
-- they are its 252 bars up to the session).
ALTER TABLE marts.technicals ADD COLUMN IF NOT EXISTS high_52w_session DATE;
UPDATE marts.technicals AS t
SET high_52w_session = c.high_52w_session
FROM (
    SELECT
        b.ticker,
        b.session_date,
        arg_max(b.session_date, struct_pack(h := b.high, s := b.session_date))
            OVER last_252 AS high_52w_session
    FROM raw.daily_bars AS b
    WHERE b.ticker IN (
        SELECT DISTINCT n.ticker
        FROM marts.technicals AS n
        WHERE n.high_52w IS NOT NULL AND n.high_52w_session IS NULL
    )
    WINDOW last_252 AS (
        PARTITION BY b.ticker ORDER BY b.session_date ROWS BETWEEN 251 PRECEDING AND CURRENT ROW
    )
) AS c
WHERE t.high_52w IS NOT NULL AND t.high_52w_session IS NULL
  AND t.ticker = c.ticker AND t.session_date = c.session_date;

CREATE TABLE IF NOT EXISTS marts.breadth (
    universe           VARCHAR NOT NULL,
    session_date       DATE    NOT NULL,
    members            INTEGER NOT NULL,
    universe_size      INTEGER NOT NULL,
    advancers          INTEGER NOT NULL,
    decliners          INTEGER NOT NULL,
    unchanged          INTEGER NOT NULL,
    ad_line            BIGINT  NOT NULL,
    mcclellan_osc      DOUBLE,
    pct_above_sma_20   DOUBLE,
    pct_above_sma_50   DOUBLE,
    pct_above_sma_200  DOUBLE,
    new_highs_52w      INTEGER,
    new_lows_52w       INTEGER,
    members_compared   INTEGER NOT NULL,
    net_advances       BIGINT  NOT NULL,
    members_with_52w   INTEGER NOT NULL,
    net_adv_ema_19     DOUBLE,
    net_adv_ema_39     DOUBLE,
    PRIMARY KEY (universe, session_date)
);

CREATE TABLE IF NOT EXISTS marts.sector_performance (
    session_date  DATE    NOT NULL,
    sector        VARCHAR NOT NULL,
    ticker        VARCHAR NOT NULL,
    ret_1d        DOUBLE,
    ret_ytd       DOUBLE,
    rank_1d       INTEGER,
    sector_count  INTEGER NOT NULL,
    PRIMARY KEY (session_date, ticker)
);

-- warehouses created before breadth figures below 95% coverage became NULL
ALTER TABLE marts.breadth ALTER COLUMN new_highs_52w DROP NOT NULL;
ALTER TABLE marts.breadth ALTER COLUMN new_lows_52w DROP NOT NULL;

-- The any-order rule (docs/METRICS.md, "When history changes"): whenever the inputs of a
-- mart change for a ticker from session from_session on (bars landed before, between or
-- after built sessions, a restatement, a late symbol, a re-basing, a quality-gate change,
-- a universe change), one row per (mart, ticker) waits here until that mart has rebuilt
-- every row that depends on it (from from_session to its last built session). ticker NULL:
-- every ticker. sessions_only TRUE: the inputs of the sessions from_session..last_changed
-- changed and nothing else (a cross-sectional mart recounts those sessions and carries its
-- A/D line and EMAs through the rest); NULL: every row from from_session on may depend on
-- the change. Written by landing, the raw checks, the reference refresh and the builds of
-- the marts that others read; consumed by the mart builds (bellwether/marts.py), which
-- delete the rows they handled.
CREATE TABLE IF NOT EXISTS marts.pending_rebuilds (
    mart           VARCHAR NOT NULL,
    ticker         VARCHAR,
    from_session   DATE    NOT NULL,
    last_changed   DATE    NOT NULL,
    reason         VARCHAR NOT NULL,
    ingest_id      VARCHAR,
    queued_at      TIMESTAMPTZ NOT NULL,
    sessions_only  BOOLEAN
);
ALTER TABLE marts.pending_rebuilds ADD COLUMN IF NOT EXISTS sessions_only BOOLEAN;

-- Every mart build: what it rebuilt and why. A build of the requested sessions has reason
-- 'requested'; the rows rebuilt because earlier inputs changed name the cause.
CREATE TABLE IF NOT EXISTS marts.rebuild_log (
    mart              VARCHAR NOT NULL,
    first_session     DATE    NOT NULL,
    last_session      DATE    NOT NULL,
    tickers           INTEGER,            -- NULL: every ticker (or a cross-sectional mart)
    reason            VARCHAR NOT NULL,
    changed_first     DATE,               -- the earliest input session that changed
    changed_last      DATE,               -- the latest input session that changed
    rows_written      BIGINT  NOT NULL,   -- rows inserted or replaced with new values
    sessions_changed  INTEGER NOT NULL,   -- sessions whose rows changed
    run_id            VARCHAR,
    built_at          TIMESTAMPTZ NOT NULL
);
-- The tickers of a step scoped to some (a corporate action re-basing one ticker's history, a
-- late symbol): its rows, and the state tables' rows, of other tickers were not written.
-- NULL: every ticker (or a cross-sectional mart). The publish copies a scoped step's rows by
-- ticker, not whole sessions (bellwether/publish.py).
ALTER TABLE marts.rebuild_log ADD COLUMN IF NOT EXISTS rebuilt_tickers VARCHAR[];

-- Run history: incremental state kept by the streaks and relative-performance builds
-- (bellwether/run_state.py, definitions in docs/METRICS.md), so "since when", "longest
-- since" and "since when stored" read one session instead of the whole history.
CREATE TABLE IF NOT EXISTS marts.streak_history (
    ticker      VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,     -- 'up' or 'down'
    run_end     DATE    NOT NULL,
    run_length  INTEGER NOT NULL,
    PRIMARY KEY (ticker, kind, run_end)
);

CREATE TABLE IF NOT EXISTS marts.streak_since (
    ticker                VARCHAR NOT NULL,
    session_date          DATE    NOT NULL,
    history_start         DATE    NOT NULL,
    kind                  VARCHAR,            -- 'up', 'down', NULL when both streaks are 0
    run_length            INTEGER,
    run_start             DATE,
    longest_since         DATE,
    longest_since_length  INTEGER,
    last_longer_session   DATE,
    last_longer_length    INTEGER,
    PRIMARY KEY (ticker, session_date)
);

CREATE TABLE IF NOT EXISTS marts.relative_history (
    ticker      VARCHAR NOT NULL,
    benchmark   VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,     -- 'outperf' or 'underperf'
    run_end     DATE    NOT NULL,
    run_length  INTEGER NOT NULL,
    PRIMARY KEY (ticker, benchmark, kind, run_end)
);

CREATE TABLE IF NOT EXISTS marts.relative_since (
    ticker                VARCHAR NOT NULL,
    benchmark             VARCHAR NOT NULL,
    session_date          DATE    NOT NULL,
    history_start         DATE    NOT NULL,
    kind                  VARCHAR,            -- 'outperf', 'underperf', NULL when both runs are 0
    run_length            INTEGER,
    run_start             DATE,
    longest_since         DATE,
    longest_since_length  INTEGER,
    last_longer_session   DATE,
    last_longer_length    INTEGER,
    PRIMARY KEY (ticker, benchmark, session_date)
);

-- Period bases and close records: incremental state kept by the daily_returns and
-- technicals builds (bellwether/period_state.py, definitions in docs/METRICS.md), so the
-- period and record queries read one month's row instead of every bar before it.
CREATE TABLE IF NOT EXISTS marts.period_bases (
    ticker        VARCHAR NOT NULL,
    period_start  DATE    NOT NULL,   -- the first day of a month
    base_session  DATE    NOT NULL,
    base_close    DOUBLE  NOT NULL,
    PRIMARY KEY (ticker, period_start)
);

CREATE TABLE IF NOT EXISTS marts.close_records (
    ticker           VARCHAR NOT NULL,
    session_date     DATE    NOT NULL,
    close            DOUBLE  NOT NULL,
    is_record_close  BOOLEAN,
    is_new_max       BOOLEAN NOT NULL,
    PRIMARY KEY (ticker, session_date)
);
