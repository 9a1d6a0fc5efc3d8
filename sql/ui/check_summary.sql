-- The Dagster UI's summary of dq.check_results over sessions $1..$2: one row per
-- (asset, check), errors first, with how many sessions were checked and failed.
SELECT asset, "check",
       count(*) AS sessions_checked,
       count(*) FILTER (WHERE NOT passed) AS sessions_failed,
       count(*) FILTER (WHERE NOT passed AND severity = 'error') AS blocking,
       max(session_date) FILTER (WHERE NOT passed) AS last_failed
FROM dq.check_results
WHERE session_date BETWEEN $1 AND $2
GROUP BY asset, "check"
ORDER BY blocking DESC, sessions_failed DESC, asset, "check";
