-- Record when stored actions (applied_actions) were first applied to the history. $1 at.
UPDATE raw.corporate_actions AS a
SET applied_at = $1
FROM applied_actions AS p
WHERE a.ticker = p.ticker AND a.ex_date = p.ex_date AND a.action = p.action
  AND a.applied_at IS NULL;
