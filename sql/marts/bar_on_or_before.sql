-- Whether any bar is stored on or before $1: then no ticker's first bar is after it. When one
-- is, the session order of raw.daily_bars makes this a read of its first row group (where
-- first_bar_session reads the whole table); when none is, the scan reads every row group.
SELECT EXISTS (SELECT 1 FROM raw.daily_bars_stored WHERE session_date <= $1);
