-- Remove the actions the source no longer lists (withdrawn_actions).
DELETE FROM raw.corporate_actions AS a
USING withdrawn_actions AS w
WHERE a.ticker = w.ticker AND a.ex_date = w.ex_date AND a.action = w.action;
