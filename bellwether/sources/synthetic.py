"""A deterministic synthetic market: any universe size and any session range, offline.

:class:`SyntheticSource` implements the one source interface (``fetch(symbols, start, end)
-> FetchResult``) with bars generated from a factor model, so that decades of a
full-market universe can be landed without a network (benchmarks, load tests, demos).
:func:`synthetic_universe` is the matching :class:`~bellwether.universe.UniverseConfig`.

**Determinism.** Every number is a pure function of ``(seed, symbol, session)``: random
draws come from a counter-based hash (splitmix64 of the seed, a stable 64-bit hash of the
symbol and the session's ordinal since :data:`EPOCH`), never from a stateful generator. So
a bar is identical whatever range or symbol list it was requested with: a daily fetch
continues a 25-year backfill exactly (no restatement, no step change at the seam), and a
symbol's history does not depend on the universe size.

**Model.** Log prices are sums of random walks with drift:

* a market factor ``M`` (daily sd 1%, times a volatility regime drawn per block of
  :data:`BLOCK` sessions, 0.6x-2.5x), 11 GICS sector factors ``S_k`` (0.6%) and a
  small-cap factor ``Z`` (0.5%);
* a stock: ``log p = log p0 + mu t + beta M + gamma S_sector + delta Z + sigma E`` with its
  own idiosyncratic walk ``E``; ``beta`` 0.6-1.5, ``gamma`` 0.4-1.0, ``delta`` 1 for small
  caps (0 for large), ``sigma`` 15-45% a year, drift -2..12% a year, ``p0`` $5-$150;
* the four headline indices (``^GSPC``, ``^DJI``, ``^IXIC``, ``^RUT``: market, market,
  market plus the technology factor, market plus the small-cap factor) and the 11 SPDR-like
  sector ETFs (market plus their sector) under the real headline tickers, so every named
  query in ``sql/queries`` (some name ``^RUT`` or ``SPY``) has inputs; their bars are
  marked ``source = 'synthetic'`` like every other;
* broad ETFs (``SPY``, ``QQQ``, ``DIA``, ``IWM``) track their index: price = index x scale x
  dividend drag x a stationary tracking error of 0.02%, so their total return tracks the
  index's price return within a few basis points (the ``etf_tracking`` check passes).

A walk's random access is exact without generating the history before the range: the
total of each block of :data:`BLOCK` sessions is drawn first (cheap, one number per block),
and the sessions inside a requested block are a Brownian bridge conditioned on that total
(iid normal increments minus their block mean plus total / BLOCK). Cost is proportional to
the sessions requested, not to the time since the epoch.

**Bars** follow the bundled sample's conventions (Yahoo's): OHLC and volume split-adjusted,
``adj_close`` adjusted for dividends (``adj_close = close x (1 - q) ^ (dividends from this
session up to a fixed horizon)``, so its ratios are the total return
``close_t / (close_{t-1} - D)`` and its basis never changes between fetches). Open is the
previous close moved by 30% of the day's move plus noise; high and low extend
``max``/``min(open, close)`` by an exponential multiple of half the daily sd; prices are
floored at $0.01 and rounded to the published precision (indices 2 decimals, others 4),
which keeps ``low <= open, close <= high``. Volume is a per-symbol level times lognormal
noise, larger on big moves; ``^RUT`` publishes none (null), as on Yahoo.

**Events** (stocks only, each a deterministic draw per symbol and session):

* dividends: about 45% of large and 20% of small caps (and every ETF) pay quarterly (every
  63 sessions, phase per symbol), yield 0.5-4% a year, ``D = q x previous close``;
* splits (``split_rate`` per session, default one per 20 years): ratio 2, 3, 3/2, 4 or 1/10,
  delivered as corporate actions (the bars are already split-adjusted);
* gaps (``gap_rate`` per session, default 1 in 10,000): the bar is missing, as a source
  sometimes misses one;
* delistings (``delist_share`` of the stocks, default 0.5%): no bar from a session drawn
  uniformly over 1991..2029; a request wholly after it lists the symbol as failed.

Every delivered bar passes :func:`bellwether.bars.validate_bars`; the gaps and delistings
are the deliberate imperfections (the defaults keep a universe's missing stocks under the
completeness check's 1% warning level).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import polars as pl

from bellwether.bars import CORPORATE_ACTION_SCHEMA, conform_source_bars
from bellwether.calendar import FIRST_SESSION, last_closed_session, sessions_between
from bellwether.sources.base import FetchResult
from bellwether.symbols import validate_symbol
from bellwether.universe import Instrument, Universe, UniverseConfig

#: Ordinal 0 of the synthetic market: the first session of the partition set.
EPOCH: date = FIRST_SESSION
#: Sessions per Brownian-bridge block (random access granularity).
BLOCK = 256
#: Session ordinal of the fixed horizon that ``adj_close`` is adjusted to (about 2030).
ADJ_HORIZON = 10_200
#: The basis of every synthetic bar: after every generated action (docs/METRICS.md).
SYNTHETIC_BASIS = date(2100, 1, 1)
#: Sessions between quarterly ex-dividend dates.
DIVIDEND_EVERY = 63
DEFAULT_SEED = 20_240_102
STOCK_PREFIX = "SYN"

SECTORS: tuple[str, ...] = (
    "Materials", "Communication Services", "Energy", "Financials", "Industrials",
    "Information Technology", "Consumer Staples", "Real Estate", "Utilities", "Health Care",
    "Consumer Discretionary",
)  # fmt: skip
SECTOR_ETFS: dict[str, str] = dict(
    zip(
        ("XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY"),
        SECTORS,
        strict=True,
    )
)
TECH = SECTORS.index("Information Technology")


@dataclass(frozen=True)
class _Headline:
    """An index or ETF of the synthetic market (not a stock)."""

    symbol: str
    kind: str
    name: str
    size_class: str
    p0: float  # price at the epoch
    beta: float = 1.0
    sector: int | None = None  # loading 1.0 (sector ETF) or 0.6 (^IXIC: technology)
    small: float = 0.0  # small-cap factor loading
    idio: float = 0.002  # daily sd of the instrument's own walk
    tracks: str | None = None  # broad ETF: the index it tracks
    scale: float = 1.0  # broad ETF: price / index level
    dividend_yield: float = 0.0
    has_volume: bool = True
    base_volume: float = 5e7


HEADLINE: dict[str, _Headline] = {
    h.symbol: h
    for h in [
        _Headline("^GSPC", "index", "S&P 500 (synthetic)", "large_cap", 360.0, idio=0.001, base_volume=3e9),
        _Headline("^IXIC", "index", "Nasdaq Composite (synthetic)", "all_cap", 450.0, beta=1.15, sector=TECH, base_volume=4e9),
        _Headline("^DJI", "index", "Dow Jones Industrial Average (synthetic)", "large_cap", 2800.0, beta=0.95, idio=0.003, base_volume=3e8),
        _Headline("^RUT", "index", "Russell 2000 (synthetic)", "small_cap", 170.0, beta=1.05, small=1.0, has_volume=False),
        _Headline("SPY", "etf", "S&P 500 ETF (synthetic)", "large_cap", 0.0, tracks="^GSPC", scale=0.1, dividend_yield=0.018, base_volume=8e7),
        _Headline("QQQ", "etf", "Nasdaq ETF (synthetic)", "large_cap", 0.0, tracks="^IXIC", scale=0.08, dividend_yield=0.006, base_volume=4e7),
        _Headline("DIA", "etf", "Dow ETF (synthetic)", "large_cap", 0.0, tracks="^DJI", scale=0.01, dividend_yield=0.017, base_volume=4e6),
        _Headline("IWM", "etf", "Russell 2000 ETF (synthetic)", "small_cap", 0.0, tracks="^RUT", scale=0.1, dividend_yield=0.012, base_volume=3e7),
        *[
            _Headline(sym, "etf", f"{sector} sector ETF (synthetic)", "large_cap", 20.0 + 3 * k,
                      sector=k, dividend_yield=0.02, base_volume=1e7)
            for k, (sym, sector) in enumerate(SECTOR_ETFS.items())
        ],
    ]
}  # fmt: skip
INDICES = [s for s, h in HEADLINE.items() if h.kind == "index"]
BROAD_ETFS = [s for s, h in HEADLINE.items() if h.tracks]

# Daily standard deviations of the factors.
MARKET_SD, SECTOR_SD, SMALL_SD = 0.010, 0.006, 0.005
MARKET_DRIFT = 0.06 / 252
TRACKING_SD = 0.0002
SPLIT_RATIOS = np.array([2.0, 3.0, 1.5, 4.0, 0.1])
SPLIT_CUMULATIVE = np.cumsum([0.5, 0.2, 0.15, 0.05, 0.10])
DELIST_FIRST, DELIST_LAST = 252, 10_080

# Stream tags: each independent quantity draws from its own stream.
# (normals also use stream + 1000)
_S_TOTAL, _S_INCREMENT, _S_REGIME = 1, 2, 3
_S_OPEN, _S_HIGH, _S_LOW, _S_EVENT, _S_SPLIT, _S_TRACKING, _S_VOLUME = range(10, 17)
_S_PROFILE = 100

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer on a uint64 array, in place (wrapping arithmetic)."""
    x += _GOLDEN
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def stable_key(*parts: object) -> int:
    """A 64-bit integer from ``parts`` (blake2b: stable across processes and versions)."""
    text = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")


def draws(keys: np.ndarray, stream: int, ordinals: np.ndarray) -> np.ndarray:
    """Uniform draws in (0, 1) as float32 (24 bits), element-wise over broadcast ``keys``
    and ``ordinals``: ``u`` is a pure function of ``(key, stream, ordinal)`` (splitmix64 of
    the symbol's key xor a mix of the stream and the session ordinal)."""
    o = np.asarray(ordinals, dtype=np.int64).astype(np.uint64)
    salt = np.uint64((stream * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)
    tmix = _mix(o * np.uint64(0xD1B54A32D192ED03) + salt)
    h = _mix(np.asarray(keys, dtype=np.uint64) ^ tmix)
    u = (h >> np.uint64(40)).astype(np.float32)
    u += np.float32(0.5)
    u *= np.float32(2.0**-24)
    return u


def uniforms(keys: np.ndarray, stream: int, ordinals: np.ndarray) -> np.ndarray:
    """:func:`draws` on the grid ``keys x ordinals``: shape ``(len(keys), len(ordinals))``."""
    return draws(np.asarray(keys, dtype=np.uint64)[:, None], stream, np.asarray(ordinals)[None, :])


def normals(keys: np.ndarray, stream: int, ordinals: np.ndarray) -> np.ndarray:
    """Standard-normal draws (float32, Box-Muller on two uniform streams; the 24-bit
    uniforms bound them to about 5.9 sd), shape ``(len(keys), len(ordinals))``."""
    r = uniforms(keys, stream, ordinals)
    np.log(r, out=r)
    r *= np.float32(-2.0)
    np.sqrt(r, out=r)
    c = uniforms(keys, stream + 1000, ordinals)
    c *= np.float32(2 * np.pi)
    np.cos(c, out=c)
    r *= c
    return r


def bridged_walk(
    keys: np.ndarray,
    first_block: int,
    last_block: int,
    block_sd: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Random walks of unit (or ``block_sd``) daily sd, on ordinals of blocks
    ``first_block..last_block`` (inclusive).

    Returns ``(level, start)``: ``level[i, t]`` the walk after the increment of ordinal
    ``first_block * BLOCK + t``; ``start[i]`` the level before the first of them. The
    total of block ``b`` is ``N(0, BLOCK * sd_b^2)``; the increments inside it are a
    Brownian bridge to that total, so any block can be generated without the earlier ones.
    """
    nb = last_block + 1
    sd = np.ones(nb) if block_sd is None else block_sd[:nb]
    totals = (
        normals(keys, _S_TOTAL, np.arange(nb)).astype(np.float64) * np.sqrt(BLOCK) * sd[None, :]
    )
    before = np.concatenate([np.zeros((len(keys), 1)), np.cumsum(totals, axis=1)], axis=1)
    blocks = np.arange(first_block, nb)
    ords = np.arange(first_block * BLOCK, nb * BLOCK)
    z = normals(keys, _S_INCREMENT, ords).astype(np.float64).reshape(len(keys), len(blocks), BLOCK)
    z = (z - z.mean(axis=2, keepdims=True)) * sd[None, blocks, None]
    z += (totals[:, blocks] / BLOCK)[:, :, None]
    level = before[:, blocks][:, :, None] + np.cumsum(z, axis=2)
    return level.reshape(len(keys), -1), before[:, first_block]


def regime_sd(seed: int, n_blocks: int) -> np.ndarray:
    """Market volatility multiplier per block: lognormal(0, 0.35) clipped to 0.6..2.5."""
    key = np.array([stable_key(seed, "regime")], dtype=np.uint64)
    z = normals(key, _S_REGIME, np.arange(n_blocks))[0].astype(np.float64)
    return np.clip(np.exp(0.35 * z), 0.6, 2.5)


@dataclass(frozen=True)
class StockProfile:
    """The parameters of synthetic stocks (arrays, one entry per symbol)."""

    sector: np.ndarray  # int index into SECTORS
    small: np.ndarray  # bool: small cap
    beta: np.ndarray
    gamma: np.ndarray
    sigma: np.ndarray  # daily idiosyncratic sd
    drift: np.ndarray  # daily log drift
    p0: np.ndarray
    base_volume: np.ndarray
    dividend_q: np.ndarray  # quarterly dividend as a fraction of the price (0: no dividend)
    dividend_phase: np.ndarray
    delist_ordinal: np.ndarray  # first ordinal without a bar (int64 max: never)


def stock_profiles(keys: np.ndarray, delist_share: float) -> StockProfile:
    """Deterministic parameters for stocks with the given symbol keys (see module doc)."""
    u = uniforms(keys, _S_PROFILE, np.arange(14))
    small = u[:, 1] < 0.7
    yearly_sigma = 0.15 + 0.30 * u[:, 4]
    volume_z = np.sqrt(-2 * np.log(u[:, 7])) * np.cos(2 * np.pi * u[:, 8])
    pays = u[:, 9] < np.where(small, 0.2, 0.45)
    delisted = u[:, 12] < delist_share
    delist_at = DELIST_FIRST + (u[:, 13] * (DELIST_LAST - DELIST_FIRST)).astype(np.int64)
    return StockProfile(
        sector=(u[:, 0] * len(SECTORS)).astype(np.int64),
        small=small,
        beta=0.6 + 0.9 * u[:, 2],
        gamma=0.4 + 0.6 * u[:, 3],
        sigma=yearly_sigma / np.sqrt(252),
        drift=(-0.02 + 0.14 * u[:, 5]) / 252,
        p0=np.exp(np.log(5.0) + (np.log(150.0) - np.log(5.0)) * u[:, 6]),
        base_volume=np.exp(np.log(8e5) + volume_z) * np.where(small, 1.0, 4.0),
        dividend_q=np.where(pays, (0.005 + 0.035 * u[:, 10]) / 4, 0.0),
        dividend_phase=(u[:, 11] * DIVIDEND_EVERY).astype(np.int64),
        delist_ordinal=np.where(delisted, delist_at, np.iinfo(np.int64).max),
    )  # fmt: skip


def stock_symbol(k: int, n_symbols: int) -> str:
    """The ``k``-th (1-based) synthetic stock symbol: ``SYN0001`` (wider past 9,999)."""
    return f"{STOCK_PREFIX}{k:0{max(4, len(str(n_symbols)))}d}"


def synthetic_universe(n_symbols: int, seed: int = DEFAULT_SEED) -> UniverseConfig:
    """The universe of a synthetic market with ``n_symbols`` stocks.

    Instruments: the 4 headline indices, 4 broad ETFs and 11 sector ETFs (synthetic series
    under the real tickers, see module doc) and stocks ``SYN0001..`` with their sector and
    size class. Universes, mirroring ``config/universe.yaml``: ``indices``, ``broad_etfs``,
    ``sector_etfs``, ``market`` (all of those), and the breadth universes ``stocks`` (every
    stock) and ``large_caps``. Relative pairs and ETF/index tracking pairs as in the
    project's configuration.
    """
    if n_symbols < 1:
        raise ValueError("a synthetic universe needs at least one stock")
    stocks = [stock_symbol(k, n_symbols) for k in range(1, n_symbols + 1)]
    profile = stock_profiles(symbol_keys(stocks, seed), delist_share=0.0)
    instruments: dict[str, Instrument] = {
        h.symbol: Instrument(
            symbol=h.symbol,
            kind=h.kind,
            name=h.name,
            sector=SECTORS[h.sector] if h.sector is not None and h.kind == "etf" else None,
            size_class=h.size_class,
            price_decimals=2 if h.kind == "index" else 4,
        )
        for h in HEADLINE.values()
    }
    for sym, sector, small in zip(stocks, profile.sector, profile.small, strict=True):
        instruments[sym] = Instrument(
            symbol=sym,
            kind="stock",
            name=f"Synthetic stock {sym}",
            sector=SECTORS[int(sector)],
            size_class="small_cap" if small else "large_cap",
        )
    large = tuple(s for s, small in zip(stocks, profile.small, strict=True) if not small)
    headline = tuple(HEADLINE)
    universes = {
        "indices": Universe("indices", tuple(INDICES), "Synthetic headline indices"),
        "broad_etfs": Universe("broad_etfs", tuple(BROAD_ETFS), "Synthetic index ETFs"),
        "sector_etfs": Universe("sector_etfs", tuple(SECTOR_ETFS), "Synthetic sector ETFs"),
        "market": Universe("market", headline, "Synthetic indices, broad and sector ETFs"),
        "stocks": Universe("stocks", tuple(stocks), "Every synthetic stock", breadth=True),
    }
    if large:
        universes["large_caps"] = Universe(
            "large_caps", large, "Synthetic large-cap stocks", breadth=True
        )
    pairs = [("^RUT", "^GSPC"), ("^RUT", "^IXIC"), ("IWM", "SPY"), ("QQQ", "SPY")]
    pairs += [(etf, "SPY") for etf in SECTOR_ETFS]
    tracking = [(etf, HEADLINE[etf].tracks) for etf in BROAD_ETFS]
    return UniverseConfig(
        instruments=instruments,
        universes=universes,
        relative_pairs=tuple(pairs),
        etf_index_tracking=tuple(tracking),  # type: ignore[arg-type]
    )


def symbol_keys(symbols: list[str], seed: int) -> np.ndarray:
    """The 64-bit keys every draw of these symbols derives from."""
    return np.array([stable_key(seed, s) for s in symbols], dtype=np.uint64)


@dataclass
class _Panel:
    """Generated values for a group of symbols on the requested ordinals."""

    symbols: list[str]
    keys: np.ndarray  # (n,) symbol keys
    close: np.ndarray  # unrounded, (n, T)
    prev_close: np.ndarray  # close of the ordinal before each one, (n, T)
    daily_sd: np.ndarray  # (n,)
    adj_factor: np.ndarray  # adj_close / close, (n, T)
    volume: np.ndarray | None  # (n, T) float, None where no volume is published
    decimals: int
    missing: np.ndarray | None = None  # (n, T) bool: no bar


@dataclass(frozen=True)
class _Span:
    """The requested ordinals ``first..last`` inside the generated blocks ``b0..b1``."""

    first: int
    last: int

    @property
    def b0(self) -> int:
        return self.first // BLOCK

    @property
    def b1(self) -> int:
        return self.last // BLOCK

    @property
    def generated(self) -> np.ndarray:
        """Ordinals of the generated blocks, with the one before them prepended."""
        return np.arange(self.b0 * BLOCK - 1, (self.b1 + 1) * BLOCK)

    @property
    def offset(self) -> int:
        """Column of the first requested ordinal in a ``generated`` array."""
        return self.first - (self.b0 * BLOCK - 1)

    @property
    def ordinals(self) -> np.ndarray:
        return np.arange(self.first, self.last + 1)


def _today_prev(level: np.ndarray, span: _Span) -> tuple[np.ndarray, np.ndarray]:
    """``(today, previous)`` columns of a generated ``(n, T + 1)`` array for the span."""
    i, n = span.offset, span.last - span.first + 1
    return level[:, i : i + n], level[:, i - 1 : i - 1 + n]


class SyntheticSource:
    """Deterministic synthetic bars for any symbols (see module doc).

    ``n_symbols`` sizes :attr:`universe` (:func:`synthetic_universe`); ``fetch`` answers for
    any valid symbol: headline tickers get their index/ETF role, every other symbol is a
    stock whose parameters come from its hash.
    """

    name = "synthetic"

    def __init__(
        self,
        n_symbols: int = 500,
        seed: int = DEFAULT_SEED,
        *,
        gap_rate: float = 1e-4,
        split_rate: float = 1 / (20 * 252),
        delist_share: float = 0.005,
        chunk_symbols: int = 250,
    ) -> None:
        self.n_symbols = n_symbols
        self.seed = seed
        self.gap_rate = gap_rate
        self.split_rate = split_rate
        self.delist_share = delist_share
        self.chunk_symbols = chunk_symbols

    @property
    def universe(self) -> UniverseConfig:
        """The matching universe: :func:`synthetic_universe` of ``n_symbols`` stocks."""
        return synthetic_universe(self.n_symbols, self.seed)

    @property
    def symbols(self) -> list[str]:
        """Every symbol of :attr:`universe`."""
        return self.universe.symbols

    def delisted_on(self, symbol: str) -> date | None:
        """The first session without a bar of a delisted stock (None if it never delists
        within the exchange calendar)."""
        if symbol in HEADLINE:
            return None
        keys = symbol_keys([validate_symbol(symbol)], self.seed)
        ordinal = int(stock_profiles(keys, self.delist_share).delist_ordinal[0])
        if ordinal > DELIST_LAST:
            return None
        calendar = sessions_between(EPOCH, date(EPOCH.year + 45, 1, 1))
        return calendar[ordinal] if ordinal < len(calendar) else None

    # -- factors ---------------------------------------------------------------------

    def _factors(self, span: _Span) -> dict[str, np.ndarray]:
        """Market, sector and small-cap factor levels on the generated ordinals (log units)."""
        regime = regime_sd(self.seed, span.b1 + 1)
        names = ["market", *[f"sector:{s}" for s in SECTORS], "small"]
        keys = symbol_keys(names, self.seed)
        m, m0 = bridged_walk(keys[:1], span.b0, span.b1, regime)
        f, f0 = bridged_walk(keys[1:], span.b0, span.b1)
        return {
            "market": np.concatenate([m0[:, None], m], axis=1)[0] * MARKET_SD,
            "sectors": np.concatenate([f0[:-1, None], f[:-1]], axis=1) * SECTOR_SD,
            "small": np.concatenate([f0[-1:, None], f[-1:]], axis=1)[0] * SMALL_SD,
        }

    # -- instruments -----------------------------------------------------------------

    def _headline_panels(
        self, symbols: list[str], fac: dict[str, np.ndarray], span: _Span
    ) -> list[_Panel]:
        ords = span.generated
        out = []
        index_logs: dict[str, np.ndarray] = {}

        def index_log(sym: str) -> np.ndarray:
            if sym not in index_logs:
                h = HEADLINE[sym]
                own, own0 = bridged_walk(symbol_keys([sym], self.seed), span.b0, span.b1)
                walk = np.concatenate([own0[:, None], own], axis=1)[0] * h.idio
                level = np.log(h.p0) + MARKET_DRIFT * ords + h.beta * fac["market"] + walk
                if h.sector is not None:
                    level = level + (1.0 if h.kind == "etf" else 0.6) * fac["sectors"][h.sector]
                if h.small:
                    level = level + h.small * fac["small"]
                index_logs[sym] = level
            return index_logs[sym]

        for sym in symbols:
            h = HEADLINE[sym]
            key = symbol_keys([sym], self.seed)
            q = h.dividend_yield / 4
            n_div = _dividends_through(ords, 0, q > 0)
            if h.tracks:
                noise = normals(key, _S_TRACKING, ords)[0] * TRACKING_SD
                log_close = index_log(h.tracks) + np.log(h.scale) + noise + n_div * np.log1p(-q)
                sd = HEADLINE[h.tracks].beta * MARKET_SD
            else:
                log_close = index_log(sym)
                sd = float(np.sqrt((h.beta * MARKET_SD) ** 2 + h.idio**2))
            close, prev = _today_prev(np.exp(log_close)[None, :], span)
            n_h = _dividends_through(np.array([ADJ_HORIZON]), 0, q > 0)
            adj, _ = _today_prev(((1 - q) ** (n_h - n_div))[None, :], span)
            vol = None
            if h.has_volume:
                nv = normals(key, _S_VOLUME, span.ordinals)
                vol = h.base_volume * np.exp(0.3 * nv + 8.0 * np.abs(np.log(close / prev)))
            out.append(
                _Panel([sym], key, close, prev, np.array([sd]), adj, vol,
                       decimals=2 if h.kind == "index" else 4)
            )  # fmt: skip
        return out

    def _stock_panel(
        self, symbols: list[str], fac: dict[str, np.ndarray], span: _Span
    ) -> tuple[_Panel, StockProfile, np.ndarray]:
        ords = span.generated
        keys = symbol_keys(symbols, self.seed)
        p = stock_profiles(keys, self.delist_share)
        own, own0 = bridged_walk(keys, span.b0, span.b1)
        log_close = np.concatenate([own0[:, None], own], axis=1)
        log_close *= p.sigma[:, None]
        log_close += np.log(p.p0)[:, None] + p.drift[:, None] * ords[None, :]
        log_close += p.beta[:, None] * fac["market"][None, :]
        log_close += p.gamma[:, None] * fac["sectors"][p.sector]
        log_close += np.where(p.small, 1.0, 0.0)[:, None] * fac["small"][None, :]
        today, prev = _today_prev(log_close, span)
        close, prev_close = np.exp(today), np.exp(prev)
        sd = np.sqrt((p.beta * MARKET_SD) ** 2 + (p.gamma * SECTOR_SD) ** 2 + p.sigma**2)
        req = span.ordinals
        n_div = _dividends_through(req[None, :], p.dividend_phase[:, None], True)
        n_div_h = _dividends_through(np.array([ADJ_HORIZON]), p.dividend_phase, True)
        adj = (1 - p.dividend_q[:, None]) ** (n_div_h[:, None] - n_div)
        vol = normals(keys, _S_VOLUME, req).astype(np.float64)
        vol *= 0.4
        vol += 6.0 * np.abs(today - prev)
        np.exp(vol, out=vol)
        vol *= p.base_volume[:, None]
        event = uniforms(keys, _S_EVENT, req)
        missing = (event < self.gap_rate) | (req[None, :] >= p.delist_ordinal[:, None])
        panel = _Panel(symbols, keys, close, prev_close, sd, adj, vol, 4, missing)
        return panel, p, event

    # -- frames ----------------------------------------------------------------------

    def _bars(self, panel: _Panel, span: _Span, dates: np.ndarray) -> pl.DataFrame:
        """The bars of ``panel`` (every requested session that is not missing)."""
        if panel.missing is None or not panel.missing.any():
            n, t = panel.close.shape
            rows = (np.repeat(np.arange(n), t), np.tile(np.arange(t), n))
        else:
            rows = np.nonzero(~panel.missing)
        keys, ords = panel.keys[rows[0]], span.ordinals[rows[1]]
        c, pc = panel.close[rows], panel.prev_close[rows]
        sd = panel.daily_sd[rows[0]]
        u_open = draws(keys, _S_OPEN, ords).astype(np.float64)
        o = pc * np.exp(0.3 * np.log(c / pc) + 0.25 * sd * (2 * u_open - 1))
        top = np.maximum(o, c) * np.exp(-0.5 * sd * np.log(draws(keys, _S_HIGH, ords)))
        bottom = np.minimum(o, c) * np.exp(0.5 * sd * np.log(draws(keys, _S_LOW, ords)))

        def price(x: np.ndarray) -> np.ndarray:
            return np.round(np.maximum(x, 0.01), panel.decimals)

        close = price(c)
        frame = {
            "ticker": _tickers(panel.symbols, rows[0]),
            "session_date": dates[rows[1]],
            "open": price(o),
            "high": price(top),
            "low": price(bottom),
            "close": close,
            "adj_close": np.round(close * panel.adj_factor[rows], 6),
            "volume": (
                np.floor(panel.volume[rows])
                if panel.volume is not None
                else np.full(len(close), np.nan)
            ),
        }
        return conform_source_bars(pl.DataFrame(frame, nan_to_null=True))

    def fetch(
        self, symbols: list[str], start: date, end: date, *, now: datetime | None = None
    ) -> FetchResult:
        """Bars for ``symbols`` on sessions ``start <= d <= end`` (clipped to the epoch and
        to the last closed session at ``now``), with their dividends and splits."""
        symbols = list(dict.fromkeys(validate_symbol(s) for s in symbols))
        closed = last_closed_session(now or datetime.now(UTC))
        lo, hi = max(start, EPOCH), min(end, closed)
        calendar = sessions_between(EPOCH, hi) if lo <= hi else []
        first = bisect_left(calendar, lo)
        if first >= len(calendar):
            reason = f"no session in {start}..{end} within the synthetic market ({EPOCH}..{closed})"
            return FetchResult(source=self.name, failed=dict.fromkeys(symbols, reason))
        span = _Span(first, len(calendar) - 1)
        dates = np.array(calendar[first:], dtype="datetime64[D]")
        fac = self._factors(span)

        frames, actions = [], []
        headline = [s for s in symbols if s in HEADLINE]
        stocks = [s for s in symbols if s not in HEADLINE]
        for panel in self._headline_panels(headline, fac, span):
            frames.append(self._bars(panel, span, dates))
            q = HEADLINE[panel.symbols[0]].dividend_yield / 4
            if q:
                actions.append(
                    _dividend_actions(panel, np.array([q]), np.zeros(1, np.int64), span, dates)
                )
        for i in range(0, len(stocks), self.chunk_symbols):
            chunk = stocks[i : i + self.chunk_symbols]
            panel, prof, event = self._stock_panel(chunk, fac, span)
            frames.append(self._bars(panel, span, dates))
            alive = span.ordinals[None, :] < prof.delist_ordinal[:, None]
            actions.append(
                _dividend_actions(panel, prof.dividend_q, prof.dividend_phase, span, dates, alive)
            )
            hit = (event >= self.gap_rate) & (event < self.gap_rate + self.split_rate) & alive
            rows = np.nonzero(hit)
            if len(rows[0]):
                u = draws(panel.keys[rows[0]], _S_SPLIT, span.ordinals[rows[1]])
                ratio = SPLIT_RATIOS[np.searchsorted(SPLIT_CUMULATIVE, u * SPLIT_CUMULATIVE[-1])]
                actions.append(_actions_frame(chunk, rows, dates, "split", ratio))
        bars = pl.concat(frames) if frames else conform_source_bars(pl.DataFrame())
        acts = (
            pl.concat(actions).sort("ticker", "ex_date")
            if actions
            else pl.DataFrame(schema=CORPORATE_ACTION_SCHEMA)
        )
        present = set(bars["ticker"].unique().to_list())
        failed = {}
        for s in symbols:
            if s in present:
                continue
            gone = self.delisted_on(s)
            if gone is not None and gone <= calendar[first]:
                failed[s] = f"delisted on {gone} (synthetic)"
            else:
                failed[s] = f"no synthetic bar in {start}..{end}"
        # bars are split-adjusted, and adj_close adjusted, up to the fixed horizon: a basis
        # after every generated action
        return FetchResult(
            source=self.name, bars=bars, actions=acts, failed=failed,
            basis_session=SYNTHETIC_BASIS, actions_complete=True,
        )  # fmt: skip


def _dividends_through(ords: np.ndarray, phase: np.ndarray | int, pays) -> np.ndarray:
    """Number of ex-dividend ordinals ``k`` with ``0 < k <= ord`` and ``(k + phase) % 63 == 0``."""
    shifted = np.asarray(ords) + phase
    count = np.floor_divide(shifted, DIVIDEND_EVERY) - np.asarray(phase) // DIVIDEND_EVERY
    return np.where(pays, np.maximum(count, 0), 0)


def _dividend_actions(
    panel: _Panel,
    q: np.ndarray,
    phase: np.ndarray,
    span: _Span,
    dates: np.ndarray,
    alive: np.ndarray | None = None,
) -> pl.DataFrame:
    """Dividend actions on the requested ex-dates: ``D = q x previous close``."""
    ords = span.ordinals
    ex = ((ords[None, :] + phase[:, None]) % DIVIDEND_EVERY == 0) & (q[:, None] > 0) & (ords > 0)
    rows = np.nonzero(ex if alive is None else ex & alive)
    amount = np.round((panel.prev_close * q[:, None])[rows], 4)
    return _actions_frame(panel.symbols, rows, dates, "dividend", amount)


def _actions_frame(
    symbols: list[str], rows: tuple[np.ndarray, np.ndarray], dates, action: str, value
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ticker": _tickers(symbols, rows[0]),
            "ex_date": dates[rows[1]],
            "action": pl.repeat(action, len(rows[0]), eager=True, dtype=pl.String),
            "value": np.asarray(value, dtype=np.float64),
        }
    ).cast(CORPORATE_ACTION_SCHEMA)  # type: ignore[arg-type]


def _tickers(symbols: list[str], index: np.ndarray) -> pl.Series:
    """``symbols[index]`` as a polars string column (gathered, no Python objects per row)."""
    return pl.Series(symbols, dtype=pl.String).gather(pl.Series(index, dtype=pl.Int64))
