-- Log one mart build (marts.rebuild_log): $1 mart, $2 first_session, $3 last_session,
-- $4 tickers (NULL: all), $5 reason, $6 changed_first, $7 changed_last, $8 rows_written,
-- $9 sessions_changed, $10 run_id, $11 built_at, $12 rebuilt_tickers (the step's scope;
-- NULL: every ticker).
INSERT INTO marts.rebuild_log
    (mart, first_session, last_session, tickers, reason, changed_first, changed_last,
     rows_written, sessions_changed, run_id, built_at, rebuilt_tickers)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12);
