-- Question: How much did each member of a universe move between two dates, measured from
--   the previous close and from the first session's open?
--
-- Parameters:
--   $start_date  DATE     first day of the period
--   $end_date    DATE     last day of the period
--   $universe    VARCHAR  a universe of raw.universe_members (its members on the last session of the period), e.g. 'indices'
--
-- Columns:
--   ticker         VARCHAR  universe member
--   name           VARCHAR  instrument name (raw.instruments)
--   basis          VARCHAR  'close': from the close of the last stored session before $start_date; 'open': from the open of the first session on or after $start_date
--   from_session   DATE     the session the period is measured from
--   from_price     DOUBLE   its close ('close') or open ('open'); NULL without a bar
--   to_session     DATE     the last NYSE session on or before $end_date
--   to_price       DOUBLE   its close; NULL without a bar
--   change         DOUBLE   to_price - from_price (index points or dollars)
--   period_return  DOUBLE   to_price / from_price - 1 (a fraction); NULL when a bar is missing or no session lies in the period
--
-- Notes: two rows per member that has any stored bar ('close' first), in universe order.
--   The figures are bw.period_returns / bw.period_return (sql/macros/020_prices.sql).
WITH asked AS (
    SELECT bw.session_on_or_before($end_date::DATE) AS session_date
),
members AS (
    -- the universe's members on the session (raw.universe_members' active window)
    SELECT ticker, member_order FROM bw.members_on($universe, (SELECT session_date FROM asked))
)
SELECT
    r.ticker,
    i.name,
    r.basis,
    r.from_session,
    r.from_price,
    r.to_session,
    r.to_price,
    r.to_price - r.from_price AS change,
    r.period_return
FROM bw.period_returns($start_date::DATE, $end_date::DATE) AS r
JOIN members AS m ON m.ticker = r.ticker
LEFT JOIN raw.instruments AS i ON i.ticker = r.ticker
ORDER BY m.member_order, r.ticker, r.basis;
