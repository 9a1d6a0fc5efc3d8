-- Question: Are small caps outperforming large caps (Russell 2000 vs S&P 500, and IWM vs
--   SPY) on a date, for how many sessions in a row, and when did a run at least as long
--   (or longer) last happen?
--
-- Parameters:
--   $as_of  DATE  the day asked about; resolved to the last NYSE session on or before it
--
-- Columns:
--   session_date          DATE     the resolved session
--   ticker                VARCHAR  the small-cap side: '^RUT' or 'IWM'
--   benchmark             VARCHAR  the large-cap side: '^GSPC' or 'SPY'
--   kind                  VARCHAR  'outperf' (small caps' ret_1d above large caps') or 'underperf'
--   run_length            INTEGER  consecutive sessions of that kind ending on session_date (0 = none)
--   run_start             DATE     first session of the current run; NULL if run_length = 0
--   longest_since         DATE     last earlier session on which a run of this kind was at least run_length long (the end of that run); NULL if none in the stored history or run_length = 0
--   longest_since_length  INTEGER  length of the run that ended on longest_since
--   last_longer_session   DATE     the same for a strictly longer run ("when a longer one last happened")
--   last_longer_length    INTEGER  length of that run
--   excess_ret_1d         DOUBLE   ret_1d - benchmark_ret_1d on session_date
--   ret_1d                DOUBLE   the small-cap side's return on session_date
--   benchmark_ret_1d      DOUBLE   the large-cap side's return on session_date
--   history_start         DATE     first stored session of the pair (NULL "since" columns mean: the longest since then)
--
-- Notes: four rows: ^RUT vs ^GSPC then IWM vs SPY, 'outperf' before 'underperf'; at most
--   one of the two kinds has run_length > 0. Same figures as relative_runs_on_date.
WITH asked AS (
    SELECT bw.session_on_or_before($as_of::DATE) AS session_date
),
pairs(pair_order, ticker, benchmark) AS (
    VALUES (1, '^RUT', '^GSPC'), (2, 'IWM', 'SPY')
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
JOIN pairs AS x ON x.ticker = r.ticker AND x.benchmark = r.benchmark
ORDER BY x.pair_order, r.kind;
