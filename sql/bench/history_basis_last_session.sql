-- Benchmark set-up (bench/cases.py, the daily case with "daily_basis"): every stored bar
-- delivered on the basis of the history's last session, as a history downloaded once on
-- that day (a Yahoo backfill) is, so that a later corporate action re-bases its ticker's
-- whole history.
UPDATE raw.daily_bars_stored
SET basis_session = (SELECT max(b.session_date) FROM raw.daily_bars_stored AS b);
