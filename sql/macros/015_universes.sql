-- Public SQL macros, part 1b: universe membership (schema `bw`, see 010_sessions.sql).
--
-- FROM bw.members_on(universe_name, on_date): the members of a universe whose membership
-- applies on on_date (raw.universe_members' active_from/active_to window; NULL = open):
--   ticker        VARCHAR
--   member_order  INTEGER  the member's position in config/universe.yaml
CREATE OR REPLACE MACRO bw.members_on(universe_name, on_date) AS TABLE
SELECT _bw_m.ticker, _bw_m.member_order
FROM raw.universe_members AS _bw_m
WHERE _bw_m.universe = universe_name
  AND (_bw_m.active_from IS NULL OR _bw_m.active_from <= on_date::DATE)
  AND (_bw_m.active_to IS NULL OR _bw_m.active_to >= on_date::DATE);
