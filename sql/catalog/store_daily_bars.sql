-- Upgrade a warehouse made before raw.daily_bars became a view: its table becomes the
-- stored table the view reads (every stored adj_close is on scale 1, no row moves).
ALTER TABLE raw.daily_bars RENAME TO daily_bars_stored;
