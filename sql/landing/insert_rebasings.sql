-- Log re-basings (incoming_rebasings). $1 ingest_id, $2 run_id, $3 rebased_at.
INSERT INTO raw.rebasings
    (ticker, ex_date, action, value, factor, change, first_session, last_session,
     bars_rewritten, ingest_id, run_id, rebased_at, rebased_by)
SELECT ticker, ex_date, action, value, factor, change, first_session, last_session,
       bars_rewritten, $1, $2, $3, rebased_by
FROM incoming_rebasings;
