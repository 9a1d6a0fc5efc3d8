-- Table {table} renamed to {aside_name} (in its schema) while its rows are rewritten in order.
ALTER TABLE {table} RENAME TO {aside_name};
