-- The sessions to copy ($sessions), as a temporary table the per-table statements read.
CREATE OR REPLACE TEMP TABLE _bw_delta AS SELECT unnest($sessions::DATE[]) AS d;
