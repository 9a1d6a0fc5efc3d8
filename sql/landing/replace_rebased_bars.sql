-- Bring stored bars onto a new split basis (incoming_rebased: their new values and factors,
-- adj_close and dividend_factor on the ticker's current basis, stored divided by its
-- raw.adj_close_scale): deleted and appended re-based, their source, ingest id, landing
-- time and basis_session those of the delivery (only the columns a split moves change).
-- Not updated in place: DuckDB's checkpoint rewrites every column an update sets in every
-- row group the ticker's bars lie in (in session order, every one: 1.5 s of the landing's
-- commit for one split at 25 years). Appended, they widen the table's last row groups
-- until the weekly compaction (bellwether.compaction) puts them back in session order.
CREATE OR REPLACE TEMP TABLE rebased_bars AS
SELECT b.* REPLACE (
    r.open AS open, r.high AS high, r.low AS low, r.close AS close,
    r.adj_close / coalesce(s.scale, 1.0) AS adj_close,
    r.volume AS volume, r.split_factor AS split_factor,
    r.dividend_factor / coalesce(s.scale, 1.0) AS dividend_factor,
    r.delivered_volume AS delivered_volume
)
FROM raw.daily_bars_stored AS b
INNER JOIN incoming_rebased AS r ON b.ticker = r.ticker AND b.session_date = r.session_date
LEFT JOIN raw.adj_close_scale AS s ON s.ticker = b.ticker;
DELETE FROM raw.daily_bars_stored AS b
USING incoming_rebased AS r
WHERE b.ticker = r.ticker AND b.session_date = r.session_date;
INSERT INTO raw.daily_bars_stored
SELECT * FROM rebased_bars
ORDER BY session_date, ticker;
DROP TABLE rebased_bars;
