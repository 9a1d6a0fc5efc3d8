-- Public SQL macros, part 3: streaks and relative-performance runs, and when a run at
-- least as long was last seen (schema `bw`, see 010_sessions.sql).
--
-- Kinds: absolute streaks from marts.streaks are 'up' (up_streak: closes above the
-- previous close) and 'down' (down_streak); relative runs from marts.relative_performance
-- are 'outperf' (outperf_streak: ret_1d above the benchmark's) and 'underperf'.
--
-- "Longest since": for a run of length L > 0 on session D, longest_since is the LAST
-- session before D on which a run of the same kind (same ticker, same benchmark) had a
-- length of at least L; that is the last session of the most recent earlier run that was at
-- least as long, and longest_since_length is that run's length. NULL means no run that long
-- occurs in the stored history before D: "the longest in the stored history" (which starts
-- with the ticker's first stored bar, so runs before it are unknown). With no run on D
-- (L = 0) every "since" column is NULL. last_longer_session / last_longer_length are the
-- same for a strictly longer run (length > L).
--
-- on_date must be a session on which the ticker has a row in the mart; otherwise the table
-- macros give no row for it and the scalar macros give NULL.
--
-- The answers are read from the run history the builds keep (marts.streak_since and
-- marts.relative_since, docs/METRICS.md), so each call reads one session.

-- FROM bw.streak_runs(on_date): one row per (ticker with a marts.streaks row on on_date, kind):
--   ticker                VARCHAR
--   session_date          DATE     on_date
--   kind                  VARCHAR  'up' or 'down'
--   run_length            INTEGER  up_streak or down_streak on on_date (0 = no such run)
--   run_start             DATE     first session of the current run (NULL if run_length = 0)
--   longest_since         DATE     see above
--   longest_since_length  INTEGER  length of the run that ended on longest_since (>= run_length)
--   last_longer_session   DATE     last session before on_date with a run > run_length
--   last_longer_length    INTEGER  length of that run
--   close                 DOUBLE   the ticker's close on on_date (marts.streaks)
--   direction             TINYINT  marts.streaks.direction on on_date
--   history_start         DATE     the ticker's first stored session ("since" NULL: since then)
CREATE OR REPLACE MACRO bw.streak_runs(on_date) AS TABLE
-- on_date is joined on, not compared with: an argument that is a subquery then still limits
-- the scans to the session's row groups
WITH _bw_on AS (
    SELECT on_date::DATE AS session_date
),
_bw_h AS (
    SELECT _bw_x.*
    FROM marts.streak_since AS _bw_x
    JOIN _bw_on ON _bw_on.session_date = _bw_x.session_date
)
SELECT
    _bw_s.ticker,
    _bw_s.session_date,
    _bw_k.kind,
    CASE _bw_k.kind WHEN 'up' THEN _bw_s.up_streak ELSE _bw_s.down_streak END AS run_length,
    CASE WHEN _bw_h.kind = _bw_k.kind THEN _bw_h.run_start END AS run_start,
    CASE WHEN _bw_h.kind = _bw_k.kind THEN _bw_h.longest_since END AS longest_since,
    CASE WHEN _bw_h.kind = _bw_k.kind THEN _bw_h.longest_since_length END AS longest_since_length,
    CASE WHEN _bw_h.kind = _bw_k.kind THEN _bw_h.last_longer_session END AS last_longer_session,
    CASE WHEN _bw_h.kind = _bw_k.kind THEN _bw_h.last_longer_length END AS last_longer_length,
    _bw_s.close,
    _bw_s.direction,
    _bw_h.history_start
FROM marts.streaks AS _bw_s
JOIN _bw_on ON _bw_on.session_date = _bw_s.session_date
CROSS JOIN (VALUES ('up'), ('down')) AS _bw_k(kind)
LEFT JOIN _bw_h ON _bw_h.ticker = _bw_s.ticker
ORDER BY _bw_s.ticker, _bw_k.kind DESC;

-- FROM bw.relative_runs(on_date): one row per (configured pair with a
-- marts.relative_performance row on on_date, kind); the columns of bw.streak_runs up to
-- last_longer_length plus benchmark (after ticker), with kind 'outperf' or 'underperf' and
-- run_length = outperf_streak or underperf_streak; then excess_ret_1d, ret_1d and
-- benchmark_ret_1d (marts.relative_performance on on_date) and history_start.
CREATE OR REPLACE MACRO bw.relative_runs(on_date) AS TABLE
WITH _bw_on AS (
    SELECT on_date::DATE AS session_date
),
_bw_h AS (
    SELECT _bw_x.*
    FROM marts.relative_since AS _bw_x
    JOIN _bw_on ON _bw_on.session_date = _bw_x.session_date
)
SELECT
    _bw_r.ticker,
    _bw_r.benchmark,
    _bw_r.session_date,
    _bw_k.kind,
    CASE _bw_k.kind WHEN 'outperf' THEN _bw_r.outperf_streak ELSE _bw_r.underperf_streak END
        AS run_length,
    CASE WHEN _bw_h.kind = _bw_k.kind THEN _bw_h.run_start END AS run_start,
    CASE WHEN _bw_h.kind = _bw_k.kind THEN _bw_h.longest_since END AS longest_since,
    CASE WHEN _bw_h.kind = _bw_k.kind THEN _bw_h.longest_since_length END AS longest_since_length,
    CASE WHEN _bw_h.kind = _bw_k.kind THEN _bw_h.last_longer_session END AS last_longer_session,
    CASE WHEN _bw_h.kind = _bw_k.kind THEN _bw_h.last_longer_length END AS last_longer_length,
    _bw_r.excess_ret_1d,
    _bw_r.ret_1d,
    _bw_r.benchmark_ret_1d,
    _bw_h.history_start
FROM marts.relative_performance AS _bw_r
JOIN _bw_on ON _bw_on.session_date = _bw_r.session_date
CROSS JOIN (VALUES ('outperf'), ('underperf')) AS _bw_k(kind)
LEFT JOIN _bw_h ON _bw_h.ticker = _bw_r.ticker AND _bw_h.benchmark = _bw_r.benchmark
ORDER BY _bw_r.ticker, _bw_r.benchmark, _bw_k.kind;

-- Scalar forms. kind must be exactly one of the two kinds of the macro; anything else
-- (including NULL) is an ERROR. They read the table macros above, so they agree with them.
-- (The bw._* building blocks exist because DuckDB refuses a macro parameter named like a
-- column of the macro's FROM clause, here `ticker`, `benchmark` and `kind`.)
CREATE OR REPLACE MACRO bw._streak_length(sym, day, which) AS (
    SELECT _bw_r.run_length FROM bw.streak_runs(day) AS _bw_r
    WHERE _bw_r.ticker = sym AND _bw_r.kind = which
);

CREATE OR REPLACE MACRO bw._streak_longest_since(sym, day, which) AS (
    SELECT _bw_r.longest_since FROM bw.streak_runs(day) AS _bw_r
    WHERE _bw_r.ticker = sym AND _bw_r.kind = which
);

CREATE OR REPLACE MACRO bw._relative_length(sym, bench, day, which) AS (
    SELECT _bw_r.run_length FROM bw.relative_runs(day) AS _bw_r
    WHERE _bw_r.ticker = sym AND _bw_r.benchmark = bench AND _bw_r.kind = which
);

CREATE OR REPLACE MACRO bw._relative_longest_since(sym, bench, day, which) AS (
    SELECT _bw_r.longest_since FROM bw.relative_runs(day) AS _bw_r
    WHERE _bw_r.ticker = sym AND _bw_r.benchmark = bench AND _bw_r.kind = which
);

-- bw.streak_length(ticker, on_date, kind) -> INTEGER: up_streak ('up') or down_streak
-- ('down') of the ticker on on_date; NULL without a row.
CREATE OR REPLACE MACRO bw.streak_length(ticker, on_date, kind) AS CASE
    WHEN kind IN ('up', 'down') THEN bw._streak_length(ticker, on_date, kind)
    ELSE error(
        'bw.streak_length: kind must be ''up'' or ''down'', got '
        || coalesce('''' || kind::VARCHAR || '''', 'NULL')
    )
END;

-- bw.longest_streak_since(ticker, on_date, kind) -> DATE: the last session before on_date
-- with an up/down streak at least as long as the one on on_date (see the top of this file);
-- NULL: the longest in the stored history, or no streak of that kind on on_date.
CREATE OR REPLACE MACRO bw.longest_streak_since(ticker, on_date, kind) AS CASE
    WHEN kind IN ('up', 'down') THEN bw._streak_longest_since(ticker, on_date, kind)
    ELSE error(
        'bw.longest_streak_since: kind must be ''up'' or ''down'', got '
        || coalesce('''' || kind::VARCHAR || '''', 'NULL')
    )
END;

-- bw.relative_run_length(ticker, benchmark, on_date, kind) -> INTEGER: outperf_streak
-- ('outperf') or underperf_streak ('underperf') of the pair on on_date; NULL without a row.
CREATE OR REPLACE MACRO bw.relative_run_length(ticker, benchmark, on_date, kind) AS CASE
    WHEN kind IN ('outperf', 'underperf')
        THEN bw._relative_length(ticker, benchmark, on_date, kind)
    ELSE error(
        'bw.relative_run_length: kind must be ''outperf'' or ''underperf'', got '
        || coalesce('''' || kind::VARCHAR || '''', 'NULL')
    )
END;

-- bw.longest_relative_run_since(ticker, benchmark, on_date, kind) -> DATE: the last session
-- before on_date with an outperformance/underperformance run of ticker against benchmark at
-- least as long as the one on on_date; NULL: the longest in the stored history, or no run.
CREATE OR REPLACE MACRO bw.longest_relative_run_since(ticker, benchmark, on_date, kind) AS CASE
    WHEN kind IN ('outperf', 'underperf')
        THEN bw._relative_longest_since(ticker, benchmark, on_date, kind)
    ELSE error(
        'bw.longest_relative_run_since: kind must be ''outperf'' or ''underperf'', got '
        || coalesce('''' || kind::VARCHAR || '''', 'NULL')
    )
END;
