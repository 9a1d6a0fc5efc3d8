-- The last session on or before $1 with a bar of a member of the universe 'indices', and the
-- last NYSE session on or before $1 (what a brief that found no index bar says).
SELECT
    (
        SELECT max(b.session_date)
        FROM raw.daily_bars_stored AS b
        WHERE b.session_date <= $1
          AND b.ticker IN (SELECT u.ticker FROM raw.universe_members AS u WHERE u.universe = 'indices')
    ) AS last_index_session,
    bw.session_on_or_before($1::DATE) AS asked_session;
