"""Running every case side by side and writing ``docs/BENCHMARKS.md``.

:func:`run_bench` starts each measured case in its own process (:mod:`bench.cases`),
repeats it, keeps every raw result in ``<workdir>/results.json`` (so an interrupted run
can be resumed with ``resume=True``), evaluates the targets on the medians of the same
run, profiles the cases behind a missed target, and renders the report
(:mod:`bench.report`).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from bellwether.calendar import sessions_between
from bellwether.settings import PROJECT_ROOT
from bench.sizes import LAST_DAY, Size, synthetic_size

ENGINES = ("polars", "duckdb_sql", "naive_pandas")
GROUPS = ("backfill", "engines", "daily", "queries", "demo")
#: The size each target is judged at.
DAGSTER_TARGET_SIZE = "500x10y"
LARGEST_SIZE = "3000x25y"


@dataclass
class Options:
    """What one benchmark run measures, and where it writes."""

    sizes: list[Size]
    repeats: int = 3
    workdir: Path = PROJECT_ROOT / ".bench"
    report: Path | None = PROJECT_ROOT / "docs" / "BENCHMARKS.md"
    groups: tuple[str, ...] = GROUPS
    engines: tuple[str, ...] = ENGINES
    #: Histories of the daily-run case (default: 3000 stocks x 1, 10 and 25 years).
    daily_sizes: list[Size] = field(
        default_factory=lambda: [synthetic_size(3000, y) for y in (1, 10, 25)]
    )
    daily_modes: tuple[str, ...] = ("dagster", "bare")
    query_repeats: int = 20
    #: Run the Dagster variant with one planned event per asset at sizes up to this many sessions.
    variant_max_sessions: int = 700
    #: The in-memory engine cases run at sizes up to this many bars (sessions x symbols):
    #: they hold the whole history in memory at once, which the pipeline never does.
    engine_max_bars: int = 2_000_000
    #: Don't repeat a case whose first run took longer than this (seconds).
    max_repeat_seconds: float = 900.0
    profile_missed: bool = True
    resume: bool = False
    command: str = ""
    timeout_s: float | None = None
    log: object = field(default=sys.stderr, repr=False)


# ---- running cases -------------------------------------------------------------------


class Runner:
    """Starts case processes and keeps their results."""

    def __init__(self, opts: Options) -> None:
        self.opts = opts
        self.workdir = opts.workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.results_path = self.workdir / "results.json"
        self.results: dict[str, list[dict]] = {}
        if opts.resume and self.results_path.exists():
            self.results = json.loads(self.results_path.read_text()).get("runs", {})

    def say(self, text: str) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        print(f"[bench {stamp}] {text}", file=self.opts.log, flush=True)

    def save(self, meta: dict | None = None) -> None:
        doc = {"runs": self.results}
        if meta:
            doc.update(meta)
        self.results_path.write_text(json.dumps(doc, indent=1, default=str))

    def spawn(self, case_id: str, spec: dict) -> dict:
        """Run one case process; its result (with the wall time of the whole process)."""
        folder = self.workdir / "cases" / case_id.replace("/", "_")
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        spec = {**spec, "workdir": str(folder / "work"), "result_path": str(folder / "result.json")}
        (folder / "spec.json").write_text(json.dumps(spec, indent=1))
        env = {
            **os.environ,
            "BELLWETHER_GX_DOCS": str(folder / "gx_docs"),
            "BELLWETHER_ARCHIVE": str(folder / "archive"),
            "PYTHONWARNINGS": "ignore",
        }
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        with open(folder / "log.txt", "w") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bench.cases", str(folder / "spec.json")],
                cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = os.waitstatus_to_exitcode(status)
            except KeyboardInterrupt:
                proc.kill()
                raise
        wall = time.perf_counter() - t0
        try:
            result = json.loads((folder / "result.json").read_text())
        except (OSError, json.JSONDecodeError):
            tail = (folder / "log.txt").read_text()[-3000:]
            result = {"ok": False, "error": f"exit code {proc.returncode}; log tail:\n{tail}"}
        result["process_seconds"] = wall
        result["loadavg_1m"] = [load_before, os.getloadavg()[0]]
        result["child_maxrss_mb"] = usage.ru_maxrss / 1024
        if not spec.get("keep_work"):
            shutil.rmtree(folder / "work", ignore_errors=True)
            shutil.rmtree(folder / "archive", ignore_errors=True)
            shutil.rmtree(folder / "gx_docs", ignore_errors=True)
        return result

    def measure(self, case_id: str, spec: dict, repeats: int | None = None) -> list[dict]:
        """Run a case up to ``repeats`` times (fewer when one run is long); results kept."""
        done = [r for r in self.results.get(case_id, []) if r.get("ok")]
        want = repeats or self.opts.repeats
        long = bool(done) and done[0].get("seconds", 0) > self.opts.max_repeat_seconds
        if done and self.opts.resume and (len(done) >= want or long):
            self.say(f"{case_id}: {len(done)} result(s) kept from the previous run")
            return done
        runs = list(done) if self.opts.resume else []
        while len(runs) < want:
            self.say(f"{case_id}: run {len(runs) + 1}/{want}")
            result = self.spawn(case_id, spec)
            if not result.get("ok"):
                self.say(f"{case_id}: FAILED\n{result.get('error', '')[-1500:]}")
                runs.append(result)
                break
            self.say(f"{case_id}: {result['seconds']:.2f} s, peak {result['peak_rss_mb']:.0f} MiB")
            runs.append(result)
            self.results[case_id] = runs
            self.save()
            if result["seconds"] > self.opts.max_repeat_seconds:
                self.say(
                    f"{case_id}: longer than {self.opts.max_repeat_seconds:.0f} s, not repeated"
                )
                break
        self.results[case_id] = runs
        self.save()
        return runs


def median_seconds(runs: list[dict]) -> float | None:
    ok = [r["seconds"] for r in runs if r.get("ok") and r.get("seconds") is not None]
    return statistics.median(ok) if ok else None


def peak_mb(runs: list[dict]) -> float | None:
    ok = [r["peak_rss_mb"] for r in runs if r.get("ok")]
    return max(ok) if ok else None


# ---- the benchmark -------------------------------------------------------------------


def history_path(runner: Runner, size: Size) -> Path:
    return runner.workdir / "warehouses" / f"{size.name}.duckdb"


def ensure_history(runner: Runner, size: Size) -> Path | None:
    """A warehouse holding ``size`` built by the bare pipeline (kept from the bare backfill
    case when it ran, else built here as a set-up step)."""
    path = history_path(runner, size)
    if path.exists():
        return path
    runs = runner.measure(
        f"setup/history/{size.name}",
        {"case": "history", "size": size.to_dict(), "keep_warehouse": str(path)},
        repeats=1,
    )
    return path if runs and runs[0].get("ok") and path.exists() else None


def run_bench(opts: Options) -> dict:
    """Run every selected case, write ``results.json`` and the report; returns the results."""
    runner = Runner(opts)
    started = datetime.now(UTC)
    from bench.report import git_revision

    code = git_revision()  # before the cases run: the code they measure
    sizes = opts.sizes
    runner.say(
        f"sizes {', '.join(s.name for s in sizes)}; repeats {opts.repeats}; workdir {runner.workdir}"
    )
    if not opts.resume:  # histories built by earlier code must not be reused
        shutil.rmtree(runner.workdir / "warehouses", ignore_errors=True)
    deferred: list[Size] = []
    for size in sizes:
        n_sessions = len(sessions_between(size.first, size.last))
        if "backfill" in opts.groups:
            # bare first: it keeps its warehouse as the history of the daily and query cases
            keep = history_path(runner, size) if size.source == "synthetic" else None
            if keep is not None and keep.exists() and not opts.resume:
                keep.unlink()
            runner.measure(
                f"bare_backfill/{size.name}",
                {"case": "bare_backfill", "size": size.to_dict(),
                 "keep_warehouse": str(keep) if keep else None},
            )  # fmt: skip
            if size.source == "synthetic" and size.years > 1:
                runner.measure(
                    f"any_order_backfill/{size.name}",
                    {"case": "any_order_backfill", "size": size.to_dict()},
                )
            if size.name == LARGEST_SIZE:
                deferred.append(size)  # the longest case runs last (see below)
            else:
                runner.measure(
                    f"dagster_backfill/{size.name}",
                    {"case": "dagster_backfill", "size": size.to_dict()},
                )
            runner.measure(
                f"dagster_create_run/{size.name}",
                {"case": "dagster_create_run", "size": size.to_dict()},
            )
            if n_sessions <= opts.variant_max_sessions:
                runner.measure(
                    f"dagster_backfill_planned_subset/{size.name}",
                    {"case": "dagster_backfill", "size": size.to_dict(), "planned_subset": True},
                )
        n_bars = n_sessions * (size.n_symbols + 19 if size.source == "synthetic" else 520)
        if "engines" in opts.groups and n_bars > opts.engine_max_bars:
            runner.say(f"engines: {size.name} has {n_bars} bars > {opts.engine_max_bars}, skipped")
        elif "engines" in opts.groups:
            for engine in opts.engines:
                runner.measure(
                    f"engine_{engine}/{size.name}",
                    {"case": "engine", "size": size.to_dict(), "engine": engine},
                )
    if "daily" in opts.groups:
        session = next(
            s for s in sessions_between(LAST_DAY, date(LAST_DAY.year + 1, 1, 31)) if s > LAST_DAY
        )
        for hist_size in opts.daily_sizes:
            hist = ensure_history(runner, hist_size)
            if hist is None:
                runner.say(f"daily: no history for {hist_size.name}, skipped")
                continue
            for mode in (*opts.daily_modes, "bare_trailing", "bare_no_actions", "bare_dividends"):
                # the history as Yahoo delivers it (downloaded once, on its last day's
                # basis) and the day on its own basis: the day's splits and dividends then
                # re-base their tickers' whole history, as in real operation
                runner.measure(
                    f"daily_{mode}/{hist_size.name}",
                    {"case": "daily", "mode": mode, "history": str(hist), "daily_basis": True,
                     "n_symbols": hist_size.n_symbols, "session": session.isoformat()},
                )  # fmt: skip
            # the daily job's last step: publishing that run for readers (bench.publish_daily)
            runner.measure(
                f"publish_daily/{hist_size.name}",
                {"case": "publish_daily", "history": str(hist), "n_symbols": hist_size.n_symbols},
            )
    if "queries" in opts.groups:
        synthetic = [s for s in sizes if s.source == "synthetic"]
        if synthetic:
            largest = max(synthetic, key=lambda s: s.n_symbols * s.years)
            wh = ensure_history(runner, largest)
            if wh is not None:
                breadth_universe = "stocks"
                runner.measure(
                    f"queries/{largest.name}",
                    {"case": "queries", "warehouse": str(wh), "as_of": largest.last.isoformat(),
                     "start_date": date(largest.last.year, 1, 1).isoformat(),
                     "universe": "stocks", "breadth_universe": breadth_universe,
                     "repeats": opts.query_repeats,
                     # its documented universe: a chart of a few index lines (with
                     # `stocks` it returns every stock's line for a year, 747 k rows)
                     "variants": {"index_levels_rebased": {"universe": "indices"}}},
                    repeats=1,
                )  # fmt: skip
    if "demo" in opts.groups:  # `make demo` on a fresh state, then the briefs of a range
        runner.measure("demo/sample", {"case": "demo"})
    for size in deferred:  # last, so that an interrupted benchmark has everything else
        runner.measure(
            f"dagster_backfill/{size.name}",
            {"case": "dagster_backfill", "size": size.to_dict()},
        )
    from bench.report import evaluate_targets

    targets = evaluate_targets(runner.results, opts)
    if opts.profile_missed:
        profile_missed(runner, targets, opts)
        targets = evaluate_targets(runner.results, opts)
    meta = {
        "started": started.isoformat(),
        "finished": datetime.now(UTC).isoformat(),
        # the code the cases ran (a report rendered later from results.json names it)
        "code": code,
        "command": opts.command,
        "sizes": [s.to_dict() for s in sizes],
        "repeats": opts.repeats,
        "max_repeat_seconds": opts.max_repeat_seconds,
        "daily_sizes": [s.name for s in opts.daily_sizes],
    }
    runner.save(meta)
    doc = {"runs": runner.results, **meta}
    if opts.report is not None:
        from bench.report import render

        opts.report.parent.mkdir(parents=True, exist_ok=True)
        opts.report.write_text(render(doc, targets))
        runner.say(f"wrote {opts.report}")
    return {"doc": doc, "targets": targets}


def profile_missed(runner: Runner, targets: list[dict], opts: Options) -> None:
    """Profile (cProfile, and memory per stage for the bare pipeline) the cases behind each
    missed target, once each; results under ``profile/...`` case ids."""
    for t in targets:
        if t["status"] != "missed":
            continue
        for case_id in t.get("profile_cases", []):
            pid = f"profile/{case_id}"
            if runner.results.get(pid) and any(r.get("ok") for r in runner.results[pid]):
                continue
            spec = profile_spec(runner, case_id)
            if spec is None:
                continue
            runner.measure(pid, {**spec, "profile": True}, repeats=1)


def profile_spec(runner: Runner, case_id: str) -> dict | None:
    """The spec of a measured case (as last run), for a profiled re-run."""
    folder = runner.workdir / "cases" / case_id.replace("/", "_")
    path = folder / "spec.json"
    if not path.exists():
        return None
    spec = json.loads(path.read_text())
    for key in ("workdir", "result_path", "keep_warehouse"):
        spec.pop(key, None)
    return spec
