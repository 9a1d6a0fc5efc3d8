-- Ticker $ticker's rows of table {table}, deleted where they lie.
DELETE FROM {table}
WHERE ticker = $ticker;
