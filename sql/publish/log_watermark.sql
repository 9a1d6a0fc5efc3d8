-- The latest stamp in change log {table} of the writer's file (what a later delta starts from).
SELECT max({stamp})::VARCHAR FROM src.{table};
