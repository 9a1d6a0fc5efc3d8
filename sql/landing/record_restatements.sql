-- Before replacing bars, keep the ones the incoming batch restates: close moved by more
-- than $1 (relative) or the adj_close/close basis changed by more than $2 (relative).
-- $3 ingest_id, $4 detected_at.
INSERT INTO raw.restatements
SELECT b.ticker, b.session_date, b.close, i.close, b.adj_close, i.adj_close, b.ingest_id, $3, $4
FROM incoming_bars AS i
JOIN raw.daily_bars AS b ON b.ticker = i.ticker AND b.session_date = i.session_date
WHERE abs(i.close / b.close - 1) > $1
   OR abs((i.adj_close / i.close) / (b.adj_close / b.close) - 1) > $2;
