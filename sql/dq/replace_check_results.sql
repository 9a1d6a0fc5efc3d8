-- Replace the results of the checks in incoming_results for their assets and sessions.
DELETE FROM dq.check_results AS r
USING (SELECT DISTINCT session_date, asset, "check" FROM incoming_results) AS i
WHERE r.session_date = i.session_date AND r.asset = i.asset AND r."check" = i."check";
INSERT INTO dq.check_results BY NAME SELECT * FROM incoming_results;
