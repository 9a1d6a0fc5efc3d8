"""Daily bars from Yahoo Finance through yfinance (the default source when online).

Requests go out as range downloads (``yf.download``) in batches of ``batch_size`` symbols,
with ``auto_adjust=False`` and ``actions=True`` so raw OHLC, ``Adj Close``, dividends and
splits are all kept, and a pause between batches (polite chunking).

yfinance logs rather than raises for a failed symbol, so each batch is judged here:

* a symbol whose block is missing, empty or all-NaN failed; its reason is the message
  yfinance logged for it (HTTP 404 "symbol may be delisted", rate limit, timeout ...) or
  ``empty result`` when yfinance said nothing;
* symbols that failed with ``YFRateLimitError`` (HTTP 429) are retried with exponential
  backoff (tenacity; ``initial_backoff_s * 2**k``, at most ``max_retries`` times) and reported failed
  if they never succeed;
* if every symbol failed with a network error, Yahoo is unreachable:
  :class:`SourceUnavailableError` says so and how to use the bundled data instead.

Rows for sessions that have not closed (close + margin, see :mod:`bellwether.calendar`)
are never returned: the request's end is clipped to the last closed session.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import polars as pl
import tenacity

from bellwether.bars import conform_source_bars, empty_actions
from bellwether.calendar import last_closed_session
from bellwether.sources.base import FetchResult, SourceUnavailableError

LOG = logging.getLogger(__name__)

# The per-symbol error lines yfinance 1.7 logs: the batch summary, the timezone probe, and
# the price-history messages.
_FAILED_LINE = re.compile(r"^\['(?P<syms>[^\]]+)'\]: (?P<msg>.*)$", re.S)
_TZ_LINE = re.compile(r"^Failed to get ticker '(?P<syms>[^']+)' reason: (?P<msg>.*)$", re.S)
_HISTORY_LINE = re.compile(r"^\$(?P<syms>[^:\s]+): (?P<msg>.*)$", re.S)
_NETWORK_MARKERS = (
    "ConnectionError",
    "NameResolutionError",
    "Failed to resolve",
    "Could not resolve host",
    "Failed to establish a new connection",
    "Network is unreachable",
    "NetworkBlockedError",
)
OFFLINE_HINT = (
    "Yahoo Finance cannot be reached from this machine ({detail}). To work offline, use the "
    "bundled real sample instead: set BELLWETHER_SOURCE=bundled (the Makefile's default), or "
    "BELLWETHER_SOURCE=files with BELLWETHER_FILES_PATH for your own CSV/Parquet files."
)


class _YFErrorCapture(logging.Handler):
    """Collects the per-symbol error lines yfinance logs during a download."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: dict[str, list[str]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage().strip()
        for pattern in (_FAILED_LINE, _TZ_LINE, _HISTORY_LINE):
            m = pattern.match(text)
            if m:
                for sym in re.split(r"',\s*'", m.group("syms")):
                    seen = self.messages.setdefault(sym, [])
                    msg = " ".join(m.group("msg").split())
                    if msg not in seen:
                        seen.append(msg)
                return

    @property
    def by_symbol(self) -> dict[str, str]:
        """symbol -> every distinct message yfinance logged for it, in order."""
        return {sym: " | ".join(msgs) for sym, msgs in self.messages.items()}


@contextmanager
def _capture_yfinance_errors() -> Iterator[_YFErrorCapture]:
    logger = logging.getLogger("yfinance")
    handler = _YFErrorCapture()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _is_rate_limit(msg: str) -> bool:
    return "YFRateLimitError" in msg or "Too Many Requests" in msg or "Rate limited" in msg


def _is_network(msg: str) -> bool:
    return any(m in msg for m in _NETWORK_MARKERS)


def _symbol_block(frame: pd.DataFrame, symbol: str) -> pd.DataFrame | None:
    if frame is None or frame.empty:
        return None
    if isinstance(frame.columns, pd.MultiIndex):
        level = frame.columns.get_level_values(0)
        if symbol not in set(level):
            return None
        return frame[symbol]
    return frame


def _block_to_frames(symbol: str, block: pd.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A yfinance per-symbol block -> (source bars, corporate actions)."""
    block = block.copy()
    dates = pd.to_datetime(block.index)
    if getattr(dates, "tz", None) is not None:
        dates = dates.tz_localize(None)
    prices = block.reindex(columns=["Open", "High", "Low", "Close", "Adj Close", "Volume"])
    has_price = prices[["Open", "High", "Low", "Close"]].notna().any(axis=1).to_numpy()
    bars = pl.DataFrame(
        {
            "ticker": [symbol] * int(has_price.sum()),
            "session_date": [d.date() for d, keep in zip(dates, has_price, strict=True) if keep],
            "open": prices["Open"].to_numpy(dtype=float)[has_price],
            "high": prices["High"].to_numpy(dtype=float)[has_price],
            "low": prices["Low"].to_numpy(dtype=float)[has_price],
            "close": prices["Close"].to_numpy(dtype=float)[has_price],
            "adj_close": prices["Adj Close"].to_numpy(dtype=float)[has_price],
            "volume": prices["Volume"].to_numpy(dtype=float)[has_price],
        }
    )
    actions = []
    for col, kind in (("Dividends", "dividend"), ("Stock Splits", "split")):
        if col in block.columns:
            values = block[col].to_numpy(dtype=float)
            for d, v in zip(dates, values, strict=True):
                if v == v and v > 0:  # not NaN, non-zero
                    actions.append(
                        {"ticker": symbol, "ex_date": d.date(), "action": kind, "value": float(v)}
                    )
    return conform_source_bars(bars), (
        pl.DataFrame(actions, schema=empty_actions().schema) if actions else empty_actions()
    )


class YahooSource:
    """yfinance range downloads in polite batches (see module doc)."""

    name = "yfinance"

    def __init__(
        self,
        *,
        session: object | None = None,
        batch_size: int = 50,
        pause_s: float = 1.0,
        max_retries: int = 4,
        initial_backoff_s: float = 2.0,
        threads: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self.session = session
        self.batch_size = batch_size
        self.pause_s = pause_s
        self.max_retries = max_retries
        self.initial_backoff_s = initial_backoff_s
        self.threads = threads
        self.sleep = sleep
        self.clock = clock
        self.requests_made = 0

    def _download(
        self, symbols: list[str], start: date, end: date
    ) -> tuple[pd.DataFrame, dict[str, str]]:
        import yfinance as yf

        self.requests_made += 1
        with _capture_yfinance_errors() as errors:
            frame = yf.download(
                tickers=symbols,
                start=start.isoformat(),
                end=(end + timedelta(days=1)).isoformat(),  # yfinance's end is exclusive
                interval="1d",
                auto_adjust=False,
                actions=True,
                group_by="ticker",
                threads=self.threads,
                progress=False,
                repair=False,
                keepna=False,
                multi_level_index=True,
                session=self.session,
            )
        return frame, dict(errors.by_symbol)

    def _attempt(
        self,
        pending: list[str],
        start: date,
        end: date,
        bars: list[pl.DataFrame],
        actions: list[pl.DataFrame],
        failures: dict[str, str],
    ) -> list[str]:
        """One download of ``pending``: bars and actions of the symbols that came back are
        appended, the others' reasons recorded in ``failures``; ``pending`` becomes (and the
        call returns) the rate-limited symbols, the ones to retry."""
        frame, errors = self._download(pending, start, end)
        retry = []
        for sym in pending:
            block = _symbol_block(frame, sym)
            b, a = (None, None) if block is None else _block_to_frames(sym, block)
            if b is not None and b.height:
                bars.append(b)
                actions.append(a)
                failures.pop(sym, None)
                continue
            msg = errors.get(sym) or "empty result: no bars returned (all-null or no timestamps)"
            failures[sym] = msg
            if _is_rate_limit(msg):
                retry.append(sym)
        pending[:] = retry
        return retry

    def fetch(self, symbols: list[str], start: date, end: date) -> FetchResult:
        """Bars and corporate actions for ``symbols`` on sessions ``start..end``."""
        closed = last_closed_session(self.clock())
        end = min(end, closed)
        # Yahoo adjusts the whole history for every action up to the download: the basis is
        # the last closed session now, whatever range was asked for; and it lists every
        # dividend and split of the range with the bars
        result = FetchResult(source=self.name, basis_session=closed, actions_complete=True)
        if start > end:
            result.failed = {s: f"no closed session in {start}..{end}" for s in symbols}
            return result
        bars, actions = [], []
        failures: dict[str, str] = {}
        batches = [
            symbols[i : i + self.batch_size] for i in range(0, len(symbols), self.batch_size)
        ]
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_result(bool),  # symbols left rate-limited
            stop=tenacity.stop_after_attempt(self.max_retries + 1),
            wait=tenacity.wait_exponential(multiplier=self.initial_backoff_s),
            sleep=self.sleep,
            before_sleep=lambda state: LOG.warning(
                "Yahoo rate-limited %d symbol(s); retrying in %.1fs",
                len(state.outcome.result()),
                state.next_action.sleep,
            ),
            retry_error_callback=lambda state: None,  # the failures say why
        )
        for n, batch in enumerate(batches):
            if n:
                self.sleep(self.pause_s)
            retrying(self._attempt, list(batch), start, end, bars, actions, failures)
        if (
            symbols
            and len(failures) == len(symbols)
            and all(_is_network(m) for m in failures.values())
        ):
            detail = next(iter(failures.values()))
            raise SourceUnavailableError(OFFLINE_HINT.format(detail=detail[:200]))
        if bars:
            result.bars = pl.concat(bars)
        if actions:
            result.actions = pl.concat(actions)
        result.failed = failures
        return result
