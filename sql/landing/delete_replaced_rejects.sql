-- A re-landing replaces earlier rejects for the tickers it received, on the sessions it covers.
-- $1 first session, $2 last session.
DELETE FROM raw.rejected_bars AS r
USING incoming_tickers AS t
WHERE r.ticker = t.ticker AND r.session_date BETWEEN $1 AND $2;
