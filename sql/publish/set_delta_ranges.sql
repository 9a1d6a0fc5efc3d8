-- The rows copied by ticker, as a temporary table: those of ticker $tickers[i] in sessions
-- $firsts[i]..$lasts[i], in the session tables with a ticker column.
CREATE OR REPLACE TEMP TABLE _bw_ranges AS
SELECT unnest($tickers::VARCHAR[]) AS ticker,
       unnest($firsts::DATE[]) AS first_session,
       unnest($lasts::DATE[]) AS last_session;
