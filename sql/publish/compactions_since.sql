-- The tables the writer compacted (dq.table_compactions) after stamp $mark: each is made anew
-- and copied whole. Strictly after: each compaction is stamped by the clock at its own
-- commit, so a row stamped exactly at $mark is the row that set it, already published (the
-- same-stamp rule of log_written_since.sql, for a fixed clock, would copy that table again).
SELECT DISTINCT table_name
FROM src.dq.table_compactions
WHERE $mark IS NULL OR compacted_at > $mark::TIMESTAMPTZ;
