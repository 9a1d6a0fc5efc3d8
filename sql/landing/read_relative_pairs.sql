-- The stored relative-performance pairs (compared with the configured ones before replacing).
SELECT ticker, benchmark FROM raw.relative_pairs;
