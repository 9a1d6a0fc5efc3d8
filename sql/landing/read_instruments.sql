-- The stored instrument list (compared with the configured one before it is replaced).
SELECT ticker, name, kind, sector, size_class, price_decimals FROM raw.instruments;
