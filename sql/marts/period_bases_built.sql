-- Whether marts.period_bases holds any base of the month starting $1 (the daily_returns
-- builds have covered that month).
SELECT EXISTS (SELECT 1 FROM marts.period_bases WHERE period_start = $1) AS built;
