-- $n tickers of the stored bars in a fixed pseudo-random order: the ones bench/compaction.py
-- re-bases.
SELECT ticker
FROM (SELECT DISTINCT ticker FROM raw.daily_bars_stored) AS stored
ORDER BY hash(ticker), ticker
LIMIT $n;
