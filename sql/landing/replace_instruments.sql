-- Replace the instrument list, universe membership and relative pairs with the configured ones.
DELETE FROM raw.universe_members;
DELETE FROM raw.instruments;
DELETE FROM raw.relative_pairs;
INSERT INTO raw.instruments SELECT ticker, name, kind, sector, size_class, price_decimals FROM incoming_instruments;
INSERT INTO raw.universe_members SELECT universe, ticker, member_order, active_from, active_to FROM incoming_members;
INSERT INTO raw.relative_pairs SELECT ticker, benchmark FROM incoming_pairs;
