-- Ticker $ticker's rows of table {table}, kept aside to be appended again.
CREATE OR REPLACE TEMP TABLE moved AS
SELECT * FROM {table}
WHERE ticker = $ticker;
