-- One compaction of a table (dq.table_compactions).
INSERT INTO dq.table_compactions (
    table_name, compacted_at, run_id, table_rows, row_groups_before, row_groups_after,
    scan_factor_before, scan_factor_after, seconds
)
VALUES (
    $table_name, $compacted_at, $run_id, $table_rows, $row_groups_before, $row_groups_after,
    $scan_factor_before, $scan_factor_after, $seconds
);
