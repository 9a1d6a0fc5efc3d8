-- Restatements recorded for sessions $1..$2 (by any landing: a session stays flagged as
-- restated after later re-landings that changed nothing), the latest per bar.
SELECT ticker, session_date, old_close, new_close, old_adj_close, new_adj_close
FROM raw.restatements WHERE session_date BETWEEN $1 AND $2
QUALIFY row_number() OVER (PARTITION BY ticker, session_date ORDER BY detected_at DESC) = 1;
