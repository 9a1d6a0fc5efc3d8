"""Offline replay of Yahoo's HTTP API for yfinance, built from the bundled data.

yfinance 1.7 accepts a plain ``requests.Session`` (``yfinance/_http.py``), so tests mount a
:class:`ReplayAdapter` (a ``requests`` transport adapter) on one and pass it as
``session=``: every request then runs through yfinance's real request and parsing code
and is answered from chart-API JSON (``v8/finance/chart``) recorded in Yahoo's format from
the bundled bars. Nothing in yfinance is patched and nothing reaches the network.

The adapter answers the cookie/crumb handshake (``fc.yahoo.com`` + ``getcrumb``), the
timezone probe (``chart?range=1d``), the history call (``chart?period1&period2``) and the
``quoteSummary`` fallback yfinance uses when the probe fails. Failure modes per symbol:

``http429``   HTTP 429 Too Many Requests       ``notfound``  404 "symbol may be delisted"
``empty``     a result without timestamps       ``allnull``   timestamps with all-null quotes
``malformed`` a body that is not JSON          ``timeout``   ``requests`` ReadTimeout
``offline``   ``requests`` ConnectionError (DNS failure) for every request

``fail_first`` limits a failure to a symbol's first N history requests (a 429 wave).
"""

from __future__ import annotations

import http.client
import io
import json
import threading
import time
from datetime import date
from urllib.parse import parse_qs, unquote, urlsplit

import pandas as pd
import polars as pl
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

NY = "America/New_York"
CRUMB = "replayCrumb"
NOT_FOUND = {
    "chart": {
        "result": None,
        "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
    }
}


def open_ts(d: date | str) -> int:
    """Epoch seconds of the 09:30 New York open of session ``d`` (Yahoo's daily timestamp)."""
    return int(pd.Timestamp(f"{pd.Timestamp(d).date()} 09:30", tz=NY).timestamp())


def chart_json(
    symbol: str,
    bars: pl.DataFrame,
    *,
    period1: int | None = None,
    period2: int | None = None,
    latest_only: bool = False,
    actions: pl.DataFrame | None = None,
    all_null: bool = False,
) -> dict:
    """Yahoo's ``v8/finance/chart`` response for ``bars`` (bundled format, one symbol)."""
    rows = bars.sort("date").with_columns(
        pl.col("date").map_elements(open_ts, return_dtype=pl.Int64).alias("ts")
    )
    last = rows.row(-1, named=True)
    if latest_only:
        sel = rows.tail(1)
    else:
        sel = rows.filter(pl.col("ts").is_between(period1 or 0, (period2 or 2**62) - 1))
    last_open = pd.Timestamp(last["ts"], unit="s", tz="UTC").tz_convert(NY)
    gmtoffset = int(last_open.utcoffset().total_seconds())
    kind = "INDEX" if symbol.startswith("^") else "ETF"
    meta = {
        "currency": "USD", "symbol": symbol, "exchangeName": "NYQ", "instrumentType": kind,
        "firstTradeDate": 728317800, "regularMarketTime": last["ts"] + 23400, "gmtoffset": gmtoffset,
        "timezone": last_open.tzname(), "exchangeTimezoneName": NY, "regularMarketPrice": last["close"],
        "priceHint": 2, "dataGranularity": "1d", "range": "1d" if latest_only else "",
    }  # fmt: skip
    result: dict = {"meta": meta}
    if sel.is_empty():
        result["indicators"] = {"quote": [{}], "adjclose": [{}]}
        return {"chart": {"result": [result], "error": None}}
    ts = sel["ts"].to_list()
    result["timestamp"] = ts
    if actions is not None and not actions.is_empty() and not latest_only:
        acts = (
            actions.filter(pl.col("ticker") == symbol)
            .with_columns(
                pl.col("ex_date").map_elements(open_ts, return_dtype=pl.Int64).alias("ts")
            )
            .filter(pl.col("ts").is_between(ts[0], ts[-1]))
        )
        events: dict = {}
        for a in acts.iter_rows(named=True):
            if a["action"] == "dividend":
                events.setdefault("dividends", {})[str(a["ts"])] = {
                    "amount": a["value"],
                    "date": a["ts"],
                }
            else:
                events.setdefault("splits", {})[str(a["ts"])] = {
                    "date": a["ts"], "numerator": a["value"], "denominator": 1.0, "splitRatio": f"{a['value']:g}:1",
                }  # fmt: skip
        if events:
            result["events"] = events
    if all_null:
        nul = [None] * len(ts)
        quote = {"open": nul, "high": nul, "low": nul, "close": nul, "volume": nul}
        adj = nul
    else:
        quote = {k: sel[k].to_list() for k in ("open", "high", "low", "close")}
        quote["volume"] = [None if v is None else int(v) for v in sel["volume"].to_list()]
        adj = sel["adj_close"].to_list()
    result["indicators"] = {"quote": [quote], "adjclose": [{"adjclose": adj}]}
    return {"chart": {"result": [result], "error": None}}


class _RawHeaders:
    """Just enough of urllib3's response for requests to read Set-Cookie headers."""

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        blob = "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
        msg = http.client.parse_headers(io.BytesIO(blob.encode("latin-1")))
        self._original_response = type("_Original", (), {"msg": msg})()

    def release_conn(self) -> None:
        pass

    def close(self) -> None:
        pass


class ReplayAdapter(BaseAdapter):
    """Answers yfinance's requests from bundled-format bars (see module doc)."""

    def __init__(
        self,
        bars: pl.DataFrame,
        *,
        actions: pl.DataFrame | None = None,
        failures: dict[str, str] | None = None,
        fail_first: int | None = None,
    ) -> None:
        super().__init__()
        self.bars = {t: g for (t,), g in bars.partition_by("ticker", as_dict=True).items()}
        self.actions = actions
        self.failures = dict(failures or {})
        self.fail_first = fail_first
        self.history_calls: dict[str, int] = {}
        self.log: list[str] = []
        self._lock = threading.Lock()

    @staticmethod
    def _response(
        request, status: int, body: object = b"", ctype: str = "application/json", cookies=()
    ) -> requests.Response:
        r = requests.Response()
        r.status_code = status
        r.reason = http.client.responses.get(status, "")
        if isinstance(body, dict | list):
            body = json.dumps(body)
        r._content = body.encode() if isinstance(body, str) else body
        headers = [("Content-Type", ctype), ("Content-Length", str(len(r._content)))]
        r.headers = CaseInsensitiveDict(headers)
        r.raw = _RawHeaders(headers + [("Set-Cookie", c) for c in cookies])
        r.encoding = "utf-8"
        r.url = request.url
        r.request = request
        return r

    @staticmethod
    def _cookie() -> str:
        expires = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 365 * 86400))
        return f"A3=d=AQABBReplay; Expires={expires}; Domain=.yahoo.com; Path=/; Secure"

    def _failure(self, symbol: str, is_history: bool) -> str | None:
        mode = self.failures.get(symbol)
        if mode is None:
            return None
        if self.fail_first is not None:
            if not is_history:
                return None
            with self._lock:
                n = self.history_calls[symbol] = self.history_calls.get(symbol, 0) + 1
            return mode if n <= self.fail_first else None
        return mode

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        url = urlsplit(request.url)
        host, path = url.hostname or "", unquote(url.path)
        params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        with self._lock:
            self.log.append(request.url)
        if "offline" in self.failures.values():
            raise requests.exceptions.ConnectionError(
                f"Failed to resolve '{host}' (replay: offline)"
            )
        if host == "fc.yahoo.com":
            return self._response(
                request, 404, "<html>Not Found</html>", "text/html", cookies=[self._cookie()]
            )
        if path == "/v1/test/getcrumb":
            return self._response(request, 200, CRUMB, "text/plain")
        if path.startswith("/v8/finance/chart/"):
            symbol = path.rsplit("/", 1)[1]
            is_history = "period1" in params
            mode = self._failure(symbol, is_history)
            if mode == "http429":
                return self._response(request, 429, "Too Many Requests\r\n", "text/plain")
            if mode == "notfound" or symbol not in self.bars:
                return self._response(request, 404, NOT_FOUND)
            if mode == "malformed" and is_history:
                return self._response(request, 200, '{"chart": {"result": [ {"meta": ')
            if mode == "timeout":
                raise requests.exceptions.ReadTimeout(
                    f"replay: read timed out ({symbol})", request=request
                )
            bars = self.bars[symbol]
            if not is_history:
                return self._response(request, 200, chart_json(symbol, bars, latest_only=True))
            p1, p2 = int(params["period1"]), int(params["period2"])
            if mode == "empty":
                p1, p2 = 0, 1
            body = chart_json(
                symbol,
                bars,
                period1=p1,
                period2=p2,
                actions=self.actions,
                all_null=mode == "allnull",
            )
            return self._response(request, 200, body)
        if path.startswith("/v10/finance/quoteSummary/"):
            symbol = path.rsplit("/", 1)[1]
            if symbol not in self.bars or self.failures.get(symbol):
                return self._response(
                    request, 404, {"quoteSummary": {"result": None, "error": {"code": "Not Found"}}}
                )
            return self._response(
                request,
                200,
                {"quoteSummary": {"result": [{"quoteType": {"exchangeTimezoneName": NY}}]}},
            )
        if path.startswith("/ws/fundamentals-timeseries/"):
            return self._response(request, 200, {"timeseries": {"result": [], "error": None}})
        if path == "/v7/finance/quote":
            return self._response(request, 200, {"quoteResponse": {"result": [], "error": None}})
        return self._response(request, 404, "<html>replay: no fixture</html>", "text/html")

    def close(self) -> None:
        pass


def replay_session(adapter: ReplayAdapter) -> requests.Session:
    """A ``requests.Session`` whose every request is answered by ``adapter``."""
    session = requests.Session()
    session.trust_env = False
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def reset_yfinance(cache_dir: str) -> None:
    """Give yfinance a fresh process state: its singleton (session, cookie, crumb), its
    response LRU cache, its timezone/cookie caches (moved to ``cache_dir``), the
    timezone-fallback budget and its config."""
    import yfinance as yf
    from yfinance import base as yf_base
    from yfinance import cache as yf_cache
    from yfinance import data as yf_data

    yf_data.YfData.cache_get.cache_clear()
    with yf_data.SingletonMeta._lock:
        yf_data.SingletonMeta._instances.pop(yf_data.YfData, None)
    yf_base._tz_info_fetch_ctr = 0
    yf.set_tz_cache_location(str(cache_dir))
    yf_cache._TzCacheManager._tz_cache = None
    yf_cache._CookieCacheManager._Cookie_cache = None
    yf_cache._ISINCacheManager._isin_cache = None
    yf.config.network.proxy = None
    yf.config.network.retries = 0
    yf.config.debug.hide_exceptions = True
    yf.config.debug.logging = False
