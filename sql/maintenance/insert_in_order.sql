-- The rows of {source} into {table}, in session order then by key ({order}).
INSERT INTO {table} BY NAME
SELECT * FROM {source}
ORDER BY {order};
