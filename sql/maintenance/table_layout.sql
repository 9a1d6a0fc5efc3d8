-- The layout of table {table}: its rows, its row groups (rowid // 122880, DuckDB's row group
-- size) and its scan factor, the sum of the row groups' session spans (days) over the table's
-- span (days): the average number of row groups whose session range covers a day, which a
-- one-session read scans. 1.0 for a table in session order (a few hundredths more where
-- a session straddles two row groups); each row group holding whole ticker histories adds
-- about 1.
WITH row_groups AS (
    SELECT
        rowid // 122880 AS row_group,
        min(session_date) AS first_session,
        max(session_date) AS last_session,
        count(*) AS n_rows
    FROM {table}
    GROUP BY row_group
)
SELECT
    coalesce(sum(n_rows), 0)::BIGINT AS table_rows,
    count(*)::BIGINT AS row_groups,
    coalesce(
        sum(last_session - first_session + 1)
        / (max(last_session) - min(first_session) + 1),
        1.0
    )::DOUBLE AS scan_factor
FROM row_groups;
