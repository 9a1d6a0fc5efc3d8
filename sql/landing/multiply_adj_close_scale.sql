-- Multiply each ticker's raw.adj_close_scale by the factor in incoming_scales (ticker,
-- scale; no stored row: from 1): every stored adj_close and dividend_factor of the ticker
-- is then read on the basis of the dividends that produced it (bellwether/landing.py).
INSERT INTO raw.adj_close_scale (ticker, scale)
SELECT ticker, scale FROM incoming_scales
ON CONFLICT (ticker) DO UPDATE SET scale = raw.adj_close_scale.scale * excluded.scale;
