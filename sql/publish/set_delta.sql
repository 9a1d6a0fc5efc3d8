-- The sessions whose rows are copied in the next table ($sessions), as a temporary table
-- its statement reads (bellwether.publish._Delta.sessions_for).
CREATE OR REPLACE TEMP TABLE _bw_delta AS SELECT unnest($sessions::DATE[]) AS d;
