-- One line of quality: sessions checked, sessions with a blocking failure, sessions with
-- only warnings, and the failing checks by count.
WITH per_session AS (
    SELECT session_date,
           bool_or(NOT passed AND severity = 'error') AS has_error,
           bool_or(NOT passed AND severity = 'warn') AS has_warn
    FROM dq.check_results
    GROUP BY session_date
), per_check AS (
    SELECT "check", severity, count(*) AS n
    FROM dq.check_results
    WHERE NOT passed
    GROUP BY ALL
)
SELECT (SELECT count(*) FROM per_session) AS sessions,
       (SELECT count(*) FROM per_session WHERE has_error) AS sessions_with_errors,
       (SELECT count(*) FROM per_session WHERE has_warn AND NOT has_error) AS sessions_with_warnings_only,
       (SELECT string_agg("check" || ' ' || severity || ' x' || n, ', ' ORDER BY severity, n DESC) FROM per_check) AS failing;
