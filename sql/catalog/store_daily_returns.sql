-- Upgrade a warehouse made before marts.daily_returns became a view: its table becomes the
-- stored table the view reads (every stored adj_close is on scale 1, no row moves).
ALTER TABLE marts.daily_returns RENAME TO daily_returns_stored;
