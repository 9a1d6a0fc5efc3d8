"""Measuring inside a case process: peak memory, memory per stage and cProfile summaries."""

from __future__ import annotations

import cProfile
import pstats
import resource
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psutil

#: Package groups for the self-time breakdown of a profile, first match wins.
GROUPS: tuple[tuple[str, str], ...] = (
    ("/bellwether/", "bellwether (project code)"),
    ("/assets/", "bellwether (project code)"),
    ("/bench/", "bench harness"),
    ("/dagster/_core/storage/", "dagster storage (event log, runs)"),
    ("/dagster/", "dagster (other)"),
    ("/sqlalchemy/", "sqlalchemy (dagster's storage layer)"),
    ("/alembic/", "sqlalchemy (dagster's storage layer)"),
    ("/great_expectations/", "great_expectations"),
    ("/polars/", "polars"),
    ("/duckdb/", "duckdb"),
    ("/pandas/", "pandas"),
    ("/numpy/", "numpy"),
    ("/pyarrow/", "pyarrow"),
    ("/exchange_calendars/", "exchange_calendars"),
    ("/pydantic", "pydantic"),
)


_PROCESS = psutil.Process()


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, MiB (``ru_maxrss`` is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """Resident memory of this process now, MiB (psutil)."""
    return _PROCESS.memory_info().rss / 2**20


class StageMeter:
    """Wall time and peak RSS per named stage, sampled every ``interval`` seconds.

    ``with meter.stage("land"): ...``; :attr:`stages` maps each stage to
    ``{"seconds", "peak_rss_mb", "start_rss_mb"}`` (a repeated stage accumulates time and
    keeps its highest peak).
    """

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.stages: dict[str, dict[str, float]] = {}
        self._current: str | None = None
        self._peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self._peak = max(self._peak, current_rss_mb())

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        outer = self._current
        self._current = name
        start_rss = current_rss_mb()
        self._peak = start_rss
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self._peak = max(self._peak, current_rss_mb())
            entry = self.stages.setdefault(
                name, {"seconds": 0.0, "peak_rss_mb": 0.0, "start_rss_mb": start_rss}
            )
            entry["seconds"] += time.perf_counter() - t0
            entry["peak_rss_mb"] = max(entry["peak_rss_mb"], self._peak)
            self._current = outer

    def wrap(self, name: str, fn: Callable) -> Callable:
        """``fn`` measured as stage ``name`` on every call."""

        def wrapped(*args, **kwargs):
            with self.stage(name):
                return fn(*args, **kwargs)

        wrapped.__wrapped__ = fn  # type: ignore[attr-defined]
        return wrapped

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def _group(filename: str) -> str:
    for marker, group in GROUPS:
        if marker in filename:
            return group
    if filename.startswith("~") or filename.startswith("<"):
        return "python builtins / C extensions"
    return "python stdlib / other"


def summarize_profile(profile: cProfile.Profile, top: int = 15) -> dict:
    """Self time by package group, the top functions by self time, and the project's
    functions by cumulative time, from a finished profile."""
    stats = pstats.Stats(profile)
    total = stats.total_tt  # type: ignore[attr-defined]
    by_group: dict[str, float] = defaultdict(float)
    rows = []
    for (filename, line, func), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        group = _group(filename)
        by_group[group] += tottime
        where = f"{_short(filename)}:{line}({func})"
        rows.append((where, group, ncalls, tottime, cumtime))
    self_top = sorted(rows, key=lambda r: -r[3])[:top]
    project = [r for r in rows if r[1] == "bellwether (project code)"]
    cum_top = sorted(project, key=lambda r: -r[4])[:top]
    return {
        "total_seconds": total,
        "self_time_by_group": dict(sorted(by_group.items(), key=lambda kv: -kv[1])),
        "top_self": [
            {"function": w, "group": g, "calls": n, "self_s": s, "cum_s": c}
            for w, g, n, s, c in self_top
        ],
        "top_project_cumulative": [
            {"function": w, "calls": n, "self_s": s, "cum_s": c} for w, _g, n, s, c in cum_top
        ],
    }


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/work/main/", "/bellwether/", "lib/python3"):
        if marker in filename:
            return (
                filename.split(marker, 1)[1]
                if marker != "/bellwether/"
                else "bellwether/" + filename.split(marker, 1)[1]
            )
    return filename


@contextmanager
def maybe_profile(enabled: bool, out: dict, dump_path: str | None = None) -> Iterator[None]:
    """Run the block under cProfile when ``enabled``; its summary goes to ``out["profile"]``."""
    if not enabled:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        if dump_path:
            profile.dump_stats(dump_path)
        out["profile"] = summarize_profile(profile)
