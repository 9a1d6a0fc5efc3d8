-- The stored universe membership (compared with the configured one before it is replaced).
SELECT universe, ticker, member_order, active_from, active_to FROM raw.universe_members;
