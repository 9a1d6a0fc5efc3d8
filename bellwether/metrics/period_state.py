"""Period bases and close records: the history-wide facts of the period and record queries.

* :func:`period_bases` -> ``marts.period_bases``: for every ticker and the first day
  ``period_start`` of every month after its first stored bar, the ticker's last stored bar
  strictly before that day (``base_session``, ``base_close``: raw.daily_bars' close, the
  base rule of ``bw.period_return`` with basis ``'close'`` and of ``ret_mtd``; January's
  row is the previous year's last close, the base of ``ret_ytd``).
* :func:`close_records` -> ``marts.close_records``: the stored ``marts.technicals`` rows
  that set a new highest close of the ticker's stored rows (``is_new_max``: close above
  every earlier stored close; the first stored row counts) or that the mart flags
  ``is_record_close``. The highest stored close up to a session, the last record session
  and the first stored session are then read from these rows alone.
"""

from __future__ import annotations

from datetime import date

import polars as pl

BASE_SCHEMA = {
    "ticker": pl.String,
    "period_start": pl.Date,
    "base_session": pl.Date,
    "base_close": pl.Float64,
}
RECORD_SCHEMA = {
    "ticker": pl.String,
    "session_date": pl.Date,
    "close": pl.Float64,
    "is_record_close": pl.Boolean,
    "is_new_max": pl.Boolean,
}


def month_start(d: date) -> date:
    """The first day of ``d``'s month."""
    return d.replace(day=1)


def month_after(d: date) -> date:
    """The first day of the month after ``d``'s."""
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def months_between(after: date, upto: date) -> list[date]:
    """First days of the months in ``(after, upto]`` (``after`` need not be a first day)."""
    out, m = [], month_after(after)
    while m <= upto:
        out.append(m)
        m = month_after(m)
    return out


def period_bases(
    bars: pl.DataFrame, months: list[date], seed: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Rows of ``marts.period_bases`` for ``months`` (see module doc).

    ``bars``: ``ticker, session_date, close``, every stored bar of each ticker from some
    day on up to the last month asked; ``seed``: ``ticker, base_session, base_close``, each
    ticker's last stored bar before the first bar given (None: there is none)."""
    frames = [bars.select("ticker")]
    if seed is not None:
        frames.append(seed.select("ticker"))
    tickers = pl.concat(frames).unique()
    if tickers.is_empty() or not months:
        return pl.DataFrame(schema=BASE_SCHEMA)
    grid = tickers.join(
        pl.DataFrame({"period_start": months}, schema={"period_start": pl.Date}), how="cross"
    ).sort("period_start")
    found = grid.join_asof(
        bars.select(
            "ticker",
            pl.col("session_date").alias("base_session"),
            pl.col("close").alias("base_close"),
            pl.col("session_date").alias("_on"),
        ).sort("_on"),
        left_on="period_start",
        right_on="_on",
        by="ticker",
        strategy="backward",
        allow_exact_matches=False,
        check_sortedness=False,
    ).drop("_on")
    if seed is not None and seed.height:
        found = (
            found.join(
                seed.select(
                    "ticker", pl.col("base_session").alias("_s"), pl.col("base_close").alias("_c")
                ),
                on="ticker",
                how="left",
            )
            .with_columns(
                pl.col("base_close").fill_null(
                    pl.when(pl.col("base_session").is_null()).then(pl.col("_c"))
                ),
                pl.col("base_session").fill_null(pl.col("_s")),
            )
            .drop("_s", "_c")
        )
    return (
        found.filter(pl.col("base_session").is_not_null())
        .select(list(BASE_SCHEMA))
        .cast(BASE_SCHEMA)  # type: ignore[arg-type]
        .sort("ticker", "period_start")
    )


def close_records(rows: pl.DataFrame, prior_max: pl.DataFrame | None = None) -> pl.DataFrame:
    """Rows of ``marts.close_records`` among ``rows`` (``ticker, session_date, close,
    is_record_close``: stored technicals rows, each ticker's from some session on);
    ``prior_max``: ``ticker, prior_max`` — the highest stored close before them (a ticker
    absent or null: no stored row before)."""
    if rows.is_empty():
        return pl.DataFrame(schema=RECORD_SCHEMA)
    p = rows.sort("ticker", "session_date")
    if prior_max is not None and prior_max.height:
        p = p.join(prior_max.select("ticker", "prior_max"), on="ticker", how="left")
    else:
        p = p.with_columns(pl.lit(None, dtype=pl.Float64).alias("prior_max"))
    before = pl.col("close").cum_max().shift(1).over("ticker")
    before = pl.max_horizontal(before, pl.col("prior_max"))
    out = p.with_columns(
        pl.when(before.is_null()).then(True).otherwise(pl.col("close") > before).alias("is_new_max")
    )
    return (
        out.filter(pl.col("is_new_max") | pl.col("is_record_close").fill_null(False))
        .select(list(RECORD_SCHEMA))
        .cast(RECORD_SCHEMA)  # type: ignore[arg-type]
    )
