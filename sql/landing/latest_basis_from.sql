-- Each of the tickers in $1 with a stored bar delivered on a basis on or after $2, and the
-- latest such basis: such a bar already reflects an action going ex from $2 on. Bars are
-- stored in session order and delivered on a basis near their session, so the read skips
-- the row groups of every older session.
SELECT ticker, max(basis_session) AS latest_basis
FROM raw.daily_bars_stored
WHERE basis_session >= $2::DATE
  AND ticker IN (SELECT unnest($1::VARCHAR[]))
GROUP BY ticker;
