"""Splitting a session range into consecutive chunks that bound a run's memory.

A backfill is ONE run over its whole range (one Dagster run, one ``run_pipeline`` call),
but inside it every step works through the range chunk by chunk, in session order: land
a chunk, check it, then the next; build a mart for a chunk, check it, then the next. Each
chunk is its own transaction, so a failure midway leaves every session wholly old or
wholly new, and the seeded builders (:mod:`bellwether.marts`) continue streaks, runs and
moving state exactly across chunk boundaries: a chunked build equals a whole-range build
(``tests/test_chunks.py``).

Chunk length: at most ``max_bars // n_symbols`` sessions (``max_bars`` =
:data:`MAX_BARS_PER_CHUNK`, overridable with ``BELLWETHER_CHUNK_BARS``), never fewer than
:data:`MIN_CHUNK_SESSIONS`. With the defaults the bundled sample (about 520 symbols, 600
sessions) and 500 symbols x 10 years are one chunk; 3,000 symbols x 25 years are 13
chunks of about 500 sessions, which keeps the peak memory of a backfill near that of one
chunk whatever the range (``docs/BENCHMARKS.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bellwether import settings

#: Bars (ticker x session rows) one chunk holds at most by default.
MAX_BARS_PER_CHUNK = settings.DEFAULT_CHUNK_BARS
#: A chunk is never shorter than this many sessions (however many symbols).
MIN_CHUNK_SESSIONS = 21


def max_bars_per_chunk() -> int:
    """``$BELLWETHER_CHUNK_BARS`` (a positive integer) or :data:`MAX_BARS_PER_CHUNK`."""
    return settings.current().chunk_bars


def chunk_length(n_symbols: int, max_bars: int | None = None) -> int:
    """Sessions per chunk for ``n_symbols`` instruments: ``max(MIN_CHUNK_SESSIONS,
    max_bars // n_symbols)``."""
    max_bars = max_bars_per_chunk() if max_bars is None else max_bars
    return max(MIN_CHUNK_SESSIONS, max_bars // max(1, n_symbols))


def session_chunks(
    sessions: Sequence[date], n_symbols: int, max_bars: int | None = None
) -> list[list[date]]:
    """``sessions`` (sorted, as a partition range gives them) cut into consecutive chunks of
    at most :func:`chunk_length` sessions, in order; an empty range gives no chunk."""
    size = chunk_length(n_symbols, max_bars)
    ordered = list(sessions)
    if ordered != sorted(ordered):
        raise ValueError("sessions must be in ascending order")
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]
