-- Question: For every configured (ticker, benchmark) pair, how long is the current
--   outperformance or underperformance run on a date, and when was a run at least as long
--   (or longer) last seen?
--
-- Parameters:
--   $as_of  DATE  the day asked about; resolved to the last NYSE session on or before it
--
-- Columns:
--   session_date          DATE     the resolved session
--   ticker                VARCHAR  the instrument compared
--   benchmark             VARCHAR  what it is compared with
--   kind                  VARCHAR  'outperf' (ret_1d above the benchmark's) or 'underperf'
--   run_length            INTEGER  consecutive sessions of that kind ending on session_date (0 = none)
--   run_start             DATE     first session of the current run; NULL if run_length = 0
--   longest_since         DATE     last earlier session on which a run of this kind was at least run_length long (the end of that run); NULL if none in the stored history or run_length = 0
--   longest_since_length  INTEGER  length of the run that ended on longest_since
--   last_longer_session   DATE     the same for a strictly longer run
--   last_longer_length    INTEGER  length of that run
--   excess_ret_1d         DOUBLE   ret_1d - benchmark_ret_1d on session_date
--   ret_1d                DOUBLE   the ticker's return on session_date
--   benchmark_ret_1d      DOUBLE   the benchmark's return on session_date
--   history_start         DATE     first stored session of the pair (NULL "since" columns mean: the longest since then)
--
-- Notes: two rows per pair with a row in marts.relative_performance on the session
--   ('outperf' first), pairs sorted by ticker then benchmark. Runs from
--   bw.relative_runs (sql/macros/030_runs.sql).
WITH asked AS (
    SELECT bw.session_on_or_before($as_of::DATE) AS session_date
)
SELECT
    r.session_date,
    r.ticker,
    r.benchmark,
    r.kind,
    r.run_length,
    r.run_start,
    r.longest_since,
    r.longest_since_length,
    r.last_longer_session,
    r.last_longer_length,
    r.excess_ret_1d,
    r.ret_1d,
    r.benchmark_ret_1d,
    r.history_start
FROM bw.relative_runs((SELECT session_date FROM asked)) AS r
ORDER BY r.ticker, r.benchmark, r.kind;
