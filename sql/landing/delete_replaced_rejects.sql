-- A re-landing replaces earlier rejects (1) of the tickers it delivered (incoming_tickers:
-- every ticker with a row in the source response, landed or not) on the sessions it covers,
-- and (2) identical to one of its own rejects (same cells, same reasons) wherever they are
-- dated (a future, weekend or unparseable date, an unrequested symbol), so landing the
-- same input twice never stores a reject twice. $1 first session, $2 last session.
DELETE FROM raw.rejected_bars AS r
WHERE (r.session_date BETWEEN $1 AND $2 AND r.ticker IN (SELECT ticker FROM incoming_tickers))
   OR EXISTS (
        SELECT 1 FROM incoming_rejects AS i
        WHERE i.ticker IS NOT DISTINCT FROM r.ticker
          AND i.session_date IS NOT DISTINCT FROM r.session_date
          AND i.open IS NOT DISTINCT FROM r.open
          AND i.high IS NOT DISTINCT FROM r.high
          AND i.low IS NOT DISTINCT FROM r.low
          AND i.close IS NOT DISTINCT FROM r.close
          AND i.adj_close IS NOT DISTINCT FROM r.adj_close
          AND i.volume IS NOT DISTINCT FROM r.volume
          AND i.reason = r.reason
   );
