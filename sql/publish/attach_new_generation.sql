-- Create a published generation at path $1 in the DuckDB 1.5 storage format (1.x clients,
-- such as the DuckDB CLI on the package index, open it), attached writable as pub.
ATTACH $1 AS pub (STORAGE_VERSION 'v1.5.0');
