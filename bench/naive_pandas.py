"""The metrics written the way tutorials write them: pandas, one symbol (or pair) at a time.

This is the baseline a user would otherwise have: a ``for ticker, df in
bars.groupby("ticker")`` loop with ``shift``/``rolling`` per symbol, and plain Python
loops where a tutorial writes one (streak counters, Wilder's RSI). It computes the same
definitions as :mod:`bellwether.metrics` (``docs/METRICS.md``), including the parts a
careless version gets wrong, so that the comparison is like for like:

* windows count NYSE *sessions*: each symbol is reindexed onto the session calendar
  between its first and last bar, so ``shift(n)`` is "n sessions earlier" and a window
  containing a missing bar is NaN (``rolling(n, min_periods=n)``);
* month/year bases are the last close before the period, NaN when the history starts
  inside it;
* streaks compare closes at the published precision; RSI starts at the 14th change and
  carries its averages over a missing change.

Each function returns a pandas DataFrame with the columns of the corresponding mart (the
benchmark compares checksums of the results with the polars and DuckDB-SQL engines).
Nothing here is used by the pipeline.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from bellwether.calendar import sessions_between

RSI_N = 14


def _calendar(first: date, last: date) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(sessions_between(first, last)), name="session_date")


def _on_sessions(df: pd.DataFrame) -> pd.DataFrame:
    """One symbol's rows reindexed onto every session from its first to its last bar."""
    df = df.set_index("session_date").sort_index()
    panel = df.reindex(_calendar(df.index[0].date(), df.index[-1].date()))
    panel["has_bar"] = panel.index.isin(df.index)
    return panel


def _period_base(close_before: pd.Series, period: pd.Series) -> pd.Series:
    """``close_before`` at the first session of each period (NaN stays NaN)."""
    first = ~period.duplicated()
    bases = pd.Series(close_before[first].to_numpy(), index=period[first].to_numpy())
    return period.map(bases)


def daily_returns(bars: pd.DataFrame) -> pd.DataFrame:
    """``marts.daily_returns`` per symbol (see :mod:`bellwether.metrics.returns`)."""
    out = []
    for ticker, df in bars.groupby("ticker", sort=True):
        p = _on_sessions(df[["session_date", "close", "adj_close"]])
        close, adj = p["close"], p["adj_close"]
        month = pd.Series(p.index.to_period("M"), index=p.index)
        year = pd.Series(p.index.year, index=p.index)
        close_before = close.ffill().shift(1)
        adj_before = adj.ffill().shift(1)
        p["ret_1d"] = close / close.shift(1) - 1
        p["log_ret_1d"] = np.log(close / close.shift(1))
        p["ret_5d"] = close / close.shift(5) - 1
        p["ret_21d"] = close / close.shift(21) - 1
        p["ret_mtd"] = close / _period_base(close_before, month) - 1
        p["ret_ytd"] = close / _period_base(close_before, year) - 1
        p["ret_52w"] = close / close.shift(252) - 1
        p["tr_1d"] = adj / adj.shift(1) - 1
        p["tr_ytd"] = adj / _period_base(adj_before, year) - 1
        p = p[p["has_bar"]].reset_index()
        p.insert(0, "ticker", ticker)
        out.append(p.drop(columns="has_bar"))
    return pd.concat(out, ignore_index=True)


def streaks(bars: pd.DataFrame) -> pd.DataFrame:
    """``marts.streaks`` per symbol, with the tutorial's counter loop."""
    out = []
    for ticker, df in bars.groupby("ticker", sort=True):
        p = _on_sessions(df[["session_date", "close", "price_decimals"]])
        decimals = p["price_decimals"].ffill()
        shown = (p["close"] * 10.0**decimals).round(0)
        prev = shown.shift(1)
        direction, up, down = [], [], []
        u = d = 0
        for today, before in zip(shown.to_numpy(), prev.to_numpy(), strict=True):
            if math.isnan(today) or math.isnan(before):
                step = None
            else:
                step = 1 if today > before else (-1 if today < before else 0)
            u = u + 1 if step == 1 else 0
            d = d + 1 if step == -1 else 0
            direction.append(step)
            up.append(u)
            down.append(d)
        p["direction"] = pd.array(direction, dtype="Int8")
        p["up_streak"] = up
        p["down_streak"] = down
        p = p[p["has_bar"]].reset_index()
        p.insert(0, "ticker", ticker)
        out.append(p[["ticker", "session_date", "close", "up_streak", "down_streak", "direction"]])
    return pd.concat(out, ignore_index=True)


def _wilder_rsi(close: np.ndarray) -> tuple[list, list, list]:
    """Wilder's RSI 14 with a Python loop: start at the 14th change, carry over gaps."""
    rsi, gains, losses = [], [], []
    avg_g = avg_l = None
    seen = 0
    sum_g = sum_l = 0.0
    prev = float("nan")
    for c in close:
        change = c - prev
        prev = c
        if not math.isnan(change):
            g, lo = max(change, 0.0), max(-change, 0.0)
            seen += 1
            if avg_g is None:
                sum_g += g
                sum_l += lo
                if seen == RSI_N:
                    avg_g, avg_l = sum_g / RSI_N, sum_l / RSI_N
            else:
                avg_g = (avg_g * (RSI_N - 1) + g) / RSI_N
                avg_l = (avg_l * (RSI_N - 1) + lo) / RSI_N
        if avg_g is None:
            rsi.append(None)
        elif avg_l == 0:
            rsi.append(100.0 if avg_g > 0 else None)
        else:
            rsi.append(100 - 100 / (1 + avg_g / avg_l))
        gains.append(avg_g)
        losses.append(avg_l)
    return rsi, gains, losses


def technicals(bars: pd.DataFrame) -> pd.DataFrame:
    """``marts.technicals`` per symbol (see :mod:`bellwether.metrics.technicals`)."""
    out = []
    for ticker, df in bars.groupby("ticker", sort=True):
        p = _on_sessions(df[["session_date", "high", "low", "close", "volume"]])
        close, volume = p["close"], p["volume"].astype("float64")
        for n in (20, 50, 200):
            p[f"sma_{n}"] = close.rolling(n, min_periods=n).mean()
        rsi, gains, losses = _wilder_rsi(close.to_numpy())
        p["rsi_14"] = pd.array(rsi, dtype="Float64")
        p["rsi_avg_gain_14"] = pd.array(gains, dtype="Float64")
        p["rsi_avg_loss_14"] = pd.array(losses, dtype="Float64")
        p["high_52w"] = p["high"].rolling(252, min_periods=252).max()
        p["low_52w"] = p["low"].rolling(252, min_periods=252).min()
        # the latest session of the window's high: rolling max of rank * 2**31 + position
        code = p["high"].rank(method="dense") * 2.0**31 + np.arange(len(p))
        latest = code.rolling(252, min_periods=252).max().to_numpy() % 2**31
        full = ~np.isnan(latest)
        sessions = np.full(len(p), np.datetime64("NaT"), dtype="datetime64[ns]")
        sessions[full] = p.index.to_numpy()[latest[full].astype(np.int64)]
        p["high_52w_session"] = sessions
        p["pct_from_high_52w"] = close / p["high_52w"] - 1
        p["is_new_high_52w"] = (p["high"] >= p["high_52w"]).where(p["high_52w"].notna())
        p["is_new_low_52w"] = (p["low"] <= p["low_52w"]).where(p["low_52w"].notna())
        for n in (20, 63):
            p[f"avg_volume_{n}"] = volume.rolling(n, min_periods=n).mean().shift(1)
        p["rel_volume"] = (volume / p["avg_volume_63"]).where(p["avg_volume_63"] > 0)
        log_ret = np.log(close / close.shift(1))
        p["volatility_20d"] = log_ret.rolling(20, min_periods=20).std(ddof=1) * math.sqrt(252)
        prior_max = close.cummax().ffill().shift(1)
        p["is_record_close"] = (close > prior_max) & prior_max.notna()
        p["record_closes_ytd"] = (
            p["is_record_close"].astype(int).groupby(p.index.year).cumsum().astype("int32")
        )
        p["bars_to_date"] = p["has_bar"].astype("int64").cumsum()
        p["max_close_to_date"] = close.cummax().where(p["has_bar"])
        p = p[p["has_bar"]].reset_index()
        p.insert(0, "ticker", ticker)
        out.append(p.drop(columns="has_bar"))
    return pd.concat(out, ignore_index=True)


def relative_performance(returns: pd.DataFrame, pairs: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """``marts.relative_performance`` pair by pair, with the run counter loop."""
    out = []
    cols = ["ticker", "session_date", "close", "ret_1d", "ret_ytd"]
    for ticker, benchmark in pairs:
        a = returns[returns["ticker"] == ticker][cols]
        b = returns[returns["ticker"] == benchmark][["session_date", "close", "ret_1d", "ret_ytd"]]
        b = b.rename(
            columns={
                "close": "_b_close",
                "ret_1d": "benchmark_ret_1d",
                "ret_ytd": "benchmark_ret_ytd",
            }
        )
        j = a.merge(b, on="session_date", how="left").sort_values("session_date")
        if j.empty:
            continue
        j.insert(1, "benchmark", benchmark)
        j["excess_ret_1d"] = j["ret_1d"] - j["benchmark_ret_1d"]
        j["price_ratio"] = j["close"] / j["_b_close"]
        j["excess_ret_ytd"] = j["ret_ytd"] - j["benchmark_ret_ytd"]
        outp, underp = [], []
        o = u = 0
        for x in j["excess_ret_1d"].to_numpy():
            o = o + 1 if x > 0 else 0
            u = u + 1 if x < 0 else 0
            outp.append(o)
            underp.append(u)
        j["outperf_streak"] = outp
        j["underperf_streak"] = underp
        out.append(j.drop(columns="_b_close"))
    return pd.concat(out, ignore_index=True)


def sector_performance(returns: pd.DataFrame, sector_etfs: pd.DataFrame) -> pd.DataFrame:
    """``marts.sector_performance``: per-session ranks of the sector ETFs' ``ret_1d``."""
    rows = returns.merge(sector_etfs[["ticker", "sector"]], on="ticker", how="inner")
    by_day = rows.groupby("session_date")["ret_1d"]
    rows["rank_1d"] = by_day.rank(method="min", ascending=False)
    rows["sector_count"] = by_day.transform("count")
    return rows[
        ["session_date", "sector", "ticker", "ret_1d", "ret_ytd", "rank_1d", "sector_count"]
    ]


def breadth(
    members: pd.DataFrame, streak_rows: pd.DataFrame, tech: pd.DataFrame, min_coverage: float = 0.95
) -> pd.DataFrame:
    """``marts.breadth`` per universe: daily counts, A/D line and McClellan EMAs; shares and
    52-week counts null unless 95% of the session's members have the figure."""
    out = []
    per_bar = streak_rows[["ticker", "session_date", "direction"]].merge(
        tech[["ticker", "session_date", "close", "sma_20", "sma_50", "sma_200", "high_52w",
              "is_new_high_52w", "is_new_low_52w"]],
        on=["ticker", "session_date"],
    )  # fmt: skip
    for universe, m in members.groupby("universe", sort=True):
        size = len(m)
        rows = per_bar[per_bar["ticker"].isin(m["ticker"])]
        daily = []
        for session, g in rows.groupby("session_date", sort=True):
            d = g["direction"]
            row = {
                "universe": universe,
                "session_date": session,
                "members": len(g),
                "universe_size": size,
                "advancers": int((d == 1).sum()),
                "decliners": int((d == -1).sum()),
                "unchanged": int((d == 0).sum()),
                "members_compared": int(d.notna().sum()),
                "new_highs_52w": int(g["is_new_high_52w"].fillna(False).astype(bool).sum()),
                "new_lows_52w": int(g["is_new_low_52w"].fillna(False).astype(bool).sum()),
                "members_with_52w": int(g["high_52w"].notna().sum()),
            }
            for n in (20, 50, 200):  # a share over too few members is null
                has = g[f"sma_{n}"].notna()
                # above by more than one part in a billion (docs/METRICS.md, "above")
                above = ((g["close"] - g[f"sma_{n}"]) > 1e-9 * g[f"sma_{n}"].abs()) & has
                enough = has.sum() > 0 and has.sum() >= min_coverage * len(g)
                row[f"pct_above_sma_{n}"] = 100.0 * above.sum() / has.sum() if enough else None
            if row["members_with_52w"] < min_coverage * len(g):
                row["new_highs_52w"] = row["new_lows_52w"] = None
            if row["members"] >= min_coverage * size:
                daily.append(row)
        if not daily:
            continue
        u = pd.DataFrame(daily)
        u["net_advances"] = u["advancers"] - u["decliners"]
        u["ad_line"] = u["net_advances"].cumsum()
        u["net_adv_ema_19"] = u["net_advances"].ewm(alpha=0.10, adjust=False).mean()
        u["net_adv_ema_39"] = u["net_advances"].ewm(alpha=0.05, adjust=False).mean()
        u["mcclellan_osc"] = u["net_adv_ema_19"] - u["net_adv_ema_39"]
        out.append(u)
    return pd.concat(out, ignore_index=True)
