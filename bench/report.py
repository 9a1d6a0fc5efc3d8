"""Targets and the Markdown report (``docs/BENCHMARKS.md``) from a benchmark's results.

Pure functions of the results document that :mod:`bench.runner` writes: every number in
the report is a median (or, for memory, the maximum) over the repeats of the same run.
"""

from __future__ import annotations

import platform
import statistics
import subprocess
from pathlib import Path

import psutil

from bellwether.mdtable import pipe_table
from bellwether.settings import PROJECT_ROOT

GIB = 1024.0
QUERY_LIMIT_MS = 20.0
QUERY_COLD_LIMIT_MS = 100.0
DAILY_HISTORY_LIMIT = 1.1
DAILY_BARE_LIMIT_S = 5.0
DAILY_GX_LIMIT_S = 1.0
#: Publishing for readers, at most this share of the bare daily run (docs/OPERATIONS.md,
#: "Readers and the published warehouse": the budget set when publishing was added).
PUBLISH_SHARE = 0.10
MEMORY_LIMIT_MB = 8 * GIB
ANALYSIS = Path(__file__).with_name("ANALYSIS.md")
#: Earlier runs' analysis and the targeted re-measurements of later sessions, kept as written.
HISTORY = Path(__file__).with_name("HISTORY.md")
DEMO_LIMIT_S = 60.0
INSTANCE_LIMIT_MB = 100.0
CREATE_RUN_LIMIT_S = 10.0
BRIEF_LIMIT_S = 0.1


def _ok(runs: list[dict] | None) -> list[dict]:
    return [r for r in (runs or []) if r.get("ok") and r.get("seconds") is not None]


def med(runs: list[dict] | None) -> float | None:
    """Median seconds over the successful runs."""
    ok = _ok(runs)
    return statistics.median(r["seconds"] for r in ok) if ok else None


def peak(runs: list[dict] | None) -> float | None:
    """Highest peak RSS (MiB) over the successful runs."""
    ok = _ok(runs)
    return max(r["peak_rss_mb"] for r in ok) if ok else None


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b not in (None, 0) else None


def _sizes(doc: dict) -> list[str]:
    return [s["name"] for s in doc.get("sizes", [])]


# ---- targets -------------------------------------------------------------------------


def evaluate_targets(runs: dict[str, list[dict]], opts) -> list[dict]:
    """Each target: what was measured in this run and whether it is met.

    ``status`` is ``met``, ``missed``, ``reported`` (a figure with no goal of its own, shown
    beside the goals it explains: ``met`` is None) or ``not measured`` (its size or case not
    in this run); ``profile_cases`` are the cases a missed target is profiled with.
    """
    names = [s.name for s in opts.sizes]
    out = []

    def add(name, target, value, met, detail, profile_cases=(), unit="x"):
        if value is None:
            status = "not measured"
        else:
            status = "reported" if met is None else ("met" if met else "missed")
        out.append({"target": name, "goal": target, "measured": value, "status": status,
                    "detail": detail, "profile_cases": list(profile_cases), "unit": unit})  # fmt: skip

    size = "500x10y"
    dag, bare = med(runs.get(f"dagster_backfill/{size}")), med(runs.get(f"bare_backfill/{size}"))
    r = ratio(dag, bare)
    small = next((n for n in ("sample", "tiny") if n in names), size)
    add("orchestration overhead", "Dagster end to end <= 1.5x the bare pipeline at 500x10y",
        r, r is not None and r <= 1.5,
        f"Dagster {fmt_s(dag)} vs bare {fmt_s(bare)}",
        [f"dagster_backfill/{small}", f"bare_backfill/{size}"])  # fmt: skip
    dag_s, bare_s = med(runs.get("dagster_backfill/sample")), med(runs.get("bare_backfill/sample"))
    r = ratio(dag_s, bare_s)
    add("orchestration overhead (sample)", "Dagster end to end <= 1.5x the bare pipeline at the sample",
        r, r is not None and r <= 1.5, f"Dagster {fmt_s(dag_s)} vs bare {fmt_s(bare_s)}",
        ["dagster_backfill/sample"])  # fmt: skip

    demo = _ok(runs.get("demo/sample"))
    secs = med(runs.get("demo/sample"))
    add("make demo", f"`make demo` after the install <= {DEMO_LIMIT_S:.0f} s wall (fresh state)",
        secs, secs is not None and secs <= DEMO_LIMIT_S,
        "`bellwether demo`: every bundled session through Dagster, two briefs, progress printed",
        unit="s")  # fmt: skip
    ok10 = _ok(runs.get(f"dagster_backfill/{size}"))
    inst = ok10[0]["extra"].get("instance_mb") if ok10 else None
    add("instance size", f"the Dagster instance <= {INSTANCE_LIMIT_MB:.0f} MB after the {size} backfill",
        inst, inst is not None and inst <= INSTANCE_LIMIT_MB,
        "files under the run's DAGSTER_HOME (SQLite run, event-log and index shards)",
        unit="mb")  # fmt: skip
    big = "3000x25y"
    create = med(runs.get(f"dagster_create_run/{big}"))
    created = _ok(runs.get(f"dagster_create_run/{big}"))
    add("run creation", f"creating the run of a {big} backfill <= {CREATE_RUN_LIMIT_S:.0f} s",
        create, create is not None and create <= CREATE_RUN_LIMIT_S,
        (f"{created[0]['extra'].get('sessions')} sessions x every asset: the run and its planned events"
         if created else ""), [f"dagster_create_run/{big}"], unit="s")  # fmt: skip
    per = demo[0]["extra"].get("brief_s_per_session") if demo else None
    add("briefs of a range", f"a range run of the briefs <= {BRIEF_LIMIT_S} s per session",
        per, per is not None and per <= BRIEF_LIMIT_S,
        (f"{demo[0]['extra'].get('brief_range_sessions')} sessions in "
         f"{fmt_s(demo[0]['extra'].get('brief_range_s'))}, the last 5 written, the rest on demand"
         if demo else ""), unit="s")  # fmt: skip

    any_size = next(
        (n for n in ("500x11y", "500x10y", *names) if f"any_order_backfill/{n}" in runs), "500x11y"
    )
    later_first = med(runs.get(f"any_order_backfill/{any_size}"))
    in_order = med(runs.get(f"bare_backfill/{any_size}"))
    r = ratio(later_first, in_order)
    add("any-order backfill", f"backfilling the years before one built year <= 1.2x building every year in order ({any_size})",
        r, r is not None and r <= 1.2,
        f"last year first, then the years before it: {fmt_s(later_first)}; in order: {fmt_s(in_order)}",
        [f"any_order_backfill/{any_size}"])  # fmt: skip

    daily_keys = sorted(k.split("/", 1)[1] for k in runs if k.startswith("daily_bare_trailing/"))
    key = daily_keys[-1] if daily_keys else "3000x25y"
    with_t, without = (
        med(runs.get(f"daily_bare_trailing/{key}")),
        med(runs.get(f"daily_bare/{key}")),
    )
    r = ratio(with_t, without)
    add("daily run with the trailing re-land", f"the daily run re-fetching 5 sessions against without ({key} history), reported",
        r, None, f"with the trailing window {fmt_s(with_t)}, without {fmt_s(without)}",
        [f"daily_bare_trailing/{key}"])  # fmt: skip

    worst_sql, worst_pd, where_sql, where_pd = None, None, "", ""
    for n in names:
        p = med(runs.get(f"engine_polars/{n}"))
        s = ratio(med(runs.get(f"engine_duckdb_sql/{n}")), p)
        d = ratio(med(runs.get(f"engine_naive_pandas/{n}")), p)
        if s is not None and (worst_sql is None or s < worst_sql):
            worst_sql, where_sql = s, n
        if d is not None and (worst_pd is None or d < worst_pd):
            worst_pd, where_pd = d, n
    add("engine: polars vs DuckDB SQL", "polars no slower than the DuckDB-SQL reference (SQL/polars >= 1)",
        worst_sql, worst_sql is not None and worst_sql >= 1.0,
        f"lowest SQL/polars ratio over the sizes: at {where_sql}" if where_sql else "",
        [f"engine_polars/{where_sql}"] if where_sql else [])  # fmt: skip
    add("engine: polars vs naive pandas", ">= 20x faster than the naive pandas baseline",
        worst_pd, worst_pd is not None and worst_pd >= 20.0,
        f"lowest pandas/polars ratio over the sizes: at {where_pd}" if where_pd else "",
        [f"engine_polars/{where_pd}"] if where_pd else [])  # fmt: skip

    n = opts.daily_sizes[0].n_symbols if opts.daily_sizes else 3000
    d1 = med(runs.get(f"daily_dagster/{n}x1y"))
    d25 = med(runs.get(f"daily_dagster/{n}x25y"))
    r = ratio(d25, d1)
    b1, b25 = med(runs.get(f"daily_bare/{n}x1y")), med(runs.get(f"daily_bare/{n}x25y"))
    rb = ratio(b25, b1)
    add("daily run vs history",
        f"daily run with 25 years of history <= {DAILY_HISTORY_LIMIT}x with 1 year, bare and through Dagster",
        r, r is not None and rb is not None and max(r, rb) <= DAILY_HISTORY_LIMIT,
        f"Dagster {fmt_s(d1)} (1y) -> {fmt_s(d25)} (25y); bare {fmt_s(b1)} -> {fmt_s(b25)} "
        f"(ratio {fmt_x(rb)})",
        [f"daily_bare/{n}x25y", f"daily_dagster/{n}x25y"])  # fmt: skip
    q25 = med(runs.get(f"daily_bare_no_actions/{n}x25y"))
    # the benchmark's day without some of its actions: figures beside the goal, no goal of
    # their own (what the re-basing of all, then of the dividends, adds at 25 years)
    for name, case, without, adds, more, less in (
        ("no re-basing", "daily_bare_no_actions",
         "the day's corporate actions dropped (nothing re-based)", "what the re-basing adds", b25, q25),
        ("dividends only", "daily_bare_dividends", "only the day's dividends (its split dropped)",
         "the dividends' re-basing", med(runs.get(f"daily_bare_dividends/{n}x25y")), q25),
    ):  # fmt: skip
        one, many = med(runs.get(f"{case}/{n}x1y")), med(runs.get(f"{case}/{n}x25y"))
        add(f"daily run vs history, {name}",
            f"the same bare daily run with {without}, 25y / 1y, reported", ratio(many, one), None,
            f"{fmt_s(one)} (1y) -> {fmt_s(many)} (25y); {adds} at 25 years: "
            f"{fmt_s(more - less) if more is not None and less is not None else '-'}",
            [f"{case}/{n}x25y"])  # fmt: skip
    bare_daily = _ok(runs.get(f"daily_bare/{n}x25y"))
    gx = (
        statistics.median(r["extra"]["gx_s"] for r in bare_daily)
        if bare_daily and all("gx_s" in r["extra"] for r in bare_daily)
        else None
    )
    add("bare daily run",
        f"the bare daily run of {n} symbols <= {DAILY_BARE_LIMIT_S:.0f} s, Great Expectations "
        f"<= {DAILY_GX_LIMIT_S:.0f} s of it ({n}x25y history)",
        b25, b25 is not None and b25 <= DAILY_BARE_LIMIT_S and gx is not None and gx <= DAILY_GX_LIMIT_S,
        f"Great Expectations {fmt_s(gx)} (waiting for its preloaded import, the validation, the "
        "Data Docs page)", [f"daily_bare/{n}x25y"], unit="s")  # fmt: skip

    pub = _ok(runs.get(f"publish_daily/{n}x25y"))
    pub_s = med(runs.get(f"publish_daily/{n}x25y"))
    rp = ratio(pub_s, b25)
    extra = pub[0]["extra"] if pub else {}
    add("daily publish",
        f"publishing the daily run for readers <= {PUBLISH_SHARE:.0%} of the bare daily run "
        f"({n}x25y history, the benchmark's day)",
        rp, rp is not None and rp <= PUBLISH_SHARE,
        f"in place after the day {fmt_s(pub_s)} (whole sessions copied: "
        f"{extra.get('daily_publish_sessions', '-')}; the re-based stocks' rows by ticker); "
        f"with nothing new {fmt_s(extra.get('in_place_s'))}; "
        f"the first, full {fmt_s(extra.get('full_s'))} (bench.publish_daily)",
        [])  # fmt: skip

    qruns = _ok(runs.get("queries/3000x25y"))
    goal = (f"every sql/queries query <= {QUERY_LIMIT_MS:.0f} ms warm and "
            f"<= {QUERY_COLD_LIMIT_MS:.0f} ms cold at 3000x25y")  # fmt: skip
    if qruns:
        qs = qruns[0]["extra"]["queries"]
        timed = {k: statistics.median(v["times_ms"]) for k, v in qs.items() if v.get("times_ms")}
        worst = max(timed.items(), key=lambda kv: kv[1]) if timed else (None, None)
        cold = {k: v["cold_ms"] for k, v in qs.items() if "cold_ms" in v}
        worst_cold = max(cold.items(), key=lambda kv: kv[1]) if cold else (None, None)
        failed = [k for k, v in qs.items() if "times_ms" not in v]
        slow = sorted(
            k for k, w in timed.items() if w > QUERY_LIMIT_MS or cold[k] > QUERY_COLD_LIMIT_MS
        )
        add("query latency", goal, worst[1],
            worst[1] is not None and not slow and not failed,
            f"slowest warm: {worst[0]}; slowest cold: {worst_cold[0]} ({worst_cold[1]:.0f} ms); "
            f"{len(slow)} of {len(timed)} over a limit" + (f"; not run: {', '.join(failed)}" if failed else ""),
            unit="ms")  # fmt: skip
    else:
        add("query latency", goal, None, False, "")  # fmt: skip

    dag_mem, bare_mem = (
        peak(runs.get("dagster_backfill/3000x25y")),
        peak(runs.get("bare_backfill/3000x25y")),
    )
    mem = max(m for m in (dag_mem, bare_mem) if m is not None) if (dag_mem or bare_mem) else None
    add("memory", "the 3000x25y backfill fits in 8 GiB peak memory",
        mem, mem is not None and mem <= MEMORY_LIMIT_MB,
        f"peak RSS: Dagster {fmt_mb(dag_mem)}, bare {fmt_mb(bare_mem)} (chunks of bellwether.chunks)",
        ["bare_backfill/3000x25y"])  # fmt: skip
    return out


# ---- formatting ----------------------------------------------------------------------


def fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    if x < 1:
        return f"{x * 1000:.0f} ms"
    if x < 600:
        return f"{x:.1f} s"
    return f"{x / 60:.1f} min"


def fmt_x(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}x"


def fmt_mb(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x / GIB:.2f} GiB" if x >= GIB else f"{x:.0f} MiB"


def _n(runs: list[dict] | None) -> str:
    return str(len(_ok(runs)))


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [pipe_table(header, rows), ""]


def machine() -> dict[str, str]:
    """CPU, cores, memory, OS, Python and key package versions of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = f"{psutil.virtual_memory().total / 2**30:.1f} GiB"
    versions = {}
    for pkg in ("dagster", "polars", "duckdb", "pandas", "numpy", "great_expectations"):
        try:
            from importlib.metadata import version

            versions[pkg] = version(pkg.replace("_", "-"))
        except Exception:
            versions[pkg] = "?"
    return {
        "cpu": cpu,
        "cores": str(psutil.cpu_count()),
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }


def git_revision() -> str:
    """The commit the code was at (read-only git calls), marked when the tree is dirty."""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT,
                             capture_output=True, text=True, timeout=10).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, timeout=30).stdout.strip()  # fmt: skip
        return f"{rev}{' (with uncommitted changes)' if dirty else ''}" if rev else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def _agreement(runs: dict, size: str) -> str:
    """Do the engines' result checksums agree (rows exactly, sums within 1e-6)?"""
    sums = {}
    for engine in ("polars", "duckdb_sql", "naive_pandas"):
        ok = _ok(runs.get(f"engine_{engine}/{size}"))
        if ok:
            sums[engine] = ok[0]["extra"].get("checksums", {})
    if "polars" not in sums or len(sums) < 2:
        return "-"
    notes = []
    for engine, cs in sums.items():
        if engine == "polars":
            continue
        bad = checksum_differences(sums["polars"], cs)
        notes.append(f"{engine}: " + ("same" if not bad else "differs in " + ", ".join(bad[:4])))
    return "; ".join(notes)


def checksum_differences(a: dict, b: dict, rel: float = 1e-6) -> list[str]:
    """``mart.column`` entries whose checksums differ (row counts exactly, null counts
    exactly, sums within ``rel``, integer sums of dates exactly); columns missing on one
    side are ignored."""
    out = []
    for mart, ca in a.items():
        cb = b.get(mart)
        if cb is None:
            out.append(f"{mart} (missing)")
            continue
        if ca.get("rows") != cb.get("rows"):
            out.append(f"{mart}.rows")
            continue
        for col, va in ca.items():
            if col == "rows" or col not in cb:
                continue
            (sa, na), (sb, nb) = va, cb[col]
            exact = isinstance(sa, int) and isinstance(sb, int)
            if na != nb or (sa != sb if exact else abs(sa - sb) > rel * max(abs(sa), abs(sb), 1.0)):
                out.append(f"{mart}.{col}")
    return out


def _profile_lines(result: dict, title: str) -> list[str]:
    lines = [f"#### {title}", ""]
    prof = result.get("profile")
    stages = result.get("extra", {}).get("stages")
    if stages:
        lines += ["Time and peak memory per stage (sampled every 50 ms):", ""]
        rows = [[k, fmt_s(v["seconds"]), fmt_mb(v["peak_rss_mb"]), fmt_mb(v["start_rss_mb"])]
                for k, v in stages.items()]  # fmt: skip
        lines += _table(["stage", "time", "peak RSS", "RSS at start"], rows)
    if prof:
        total = prof["total_seconds"]
        lines += [
            f"cProfile, {fmt_s(total)} in total (profiling overhead included). Self time by package:",
            "",
        ]
        rows = [[g, fmt_s(s), f"{100 * s / total:.0f}%"] for g, s in prof["self_time_by_group"].items()
                if s / total >= 0.01]  # fmt: skip
        lines += _table(["package", "self time", "share"], rows)
        lines += ["Top functions by self time:", ""]
        rows = [[f"`{r['function']}`", str(r["calls"]), fmt_s(r["self_s"]), fmt_s(r["cum_s"])]
                for r in prof["top_self"][:12]]  # fmt: skip
        lines += _table(["function", "calls", "self", "cumulative"], rows)
        if prof.get("top_project_cumulative"):
            lines += ["Project functions by cumulative time:", ""]
            rows = [[f"`{r['function']}`", str(r["calls"]), fmt_s(r["cum_s"])]
                    for r in prof["top_project_cumulative"][:12]]  # fmt: skip
            lines += _table(["function", "calls", "cumulative"], rows)
    return lines


def render(doc: dict, targets: list[dict]) -> str:
    """The Markdown report."""
    runs = doc["runs"]
    sizes = _sizes(doc)
    m = machine()
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (code in `bench/`, entry point `python -m bench`); do not edit",
        "by hand: rerun it. Every figure is the **median of the repeats of one run** (n given),",
        "peak memory the highest `ru_maxrss` of a case's own process (each measured case runs in",
        "a process of its own). A case's clock starts after the imports (Dagster, polars, DuckDB);",
        "Great Expectations is imported by the first check run, inside the clock.",
        "",
        "## Run",
        "",
        f"- command: `{doc.get('command') or '?'}`",
        f"- started {doc.get('started', '?')}, finished {doc.get('finished', '?')}; code at {doc.get('code') or git_revision()}",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM; {m['os']}; Python {m['python']}",
        f"- packages: {m['packages']}",
        f"- repeats: {doc.get('repeats')} (a case whose first run is longer than "
        f"{fmt_s(doc.get('max_repeat_seconds', 900.0))} runs once)",
        "",
        "Sizes: `sample` is the bundled real data (indices, ETFs, 2 banks from 2024-01-02 and 503",
        "S&P 500 members over 2025-06-02..2026-01-30); `NxYy` is N synthetic stocks plus 19",
        "synthetic indices and ETFs (`bellwether/sources/synthetic.py`) over the Y calendar years",
        "ending 2025-12-31 (`NxKs`: the last K sessions to 2025-12-31). Each figure's process",
        "started from the same state; the warehouse, archive and Dagster instance of a case are",
        "fresh temporary files on the same disk.",
        "",
        "## Targets",
        "",
    ]
    rows = []
    for t in targets:
        v = t["measured"]
        if v is None:
            shown = "-"
        elif t["target"] == "memory":
            shown = fmt_mb(v)
        elif t["target"] == "query latency":
            shown = f"{v:.1f} ms"
        elif t.get("unit") == "s":
            shown = fmt_s(v)
        elif t.get("unit") == "mb":
            shown = fmt_mb(v)
        else:
            shown = fmt_x(v)
        mark = {"met": "met", "missed": "**missed**", "reported": "reported",
                "not measured": "not measured"}[t["status"]]  # fmt: skip
        rows.append([t["goal"], shown, mark, t["detail"]])
    lines += _table(["target", "measured", "status", "detail"], rows)

    lines += ["## 1-2. Backfill end to end: Dagster vs the bare pipeline", "",
              "Land + every mart + every check, one run over the whole range. Dagster:",
              "`dg.materialize` of every asset with the partition-range tags in a fresh instance",
              "(temporary `DAGSTER_HOME` with the project's `dagster.yaml`, SQLite storage). The",
              "variant sets `DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS=1` (one planned event",
              "per asset instead of one per partition). Bare: `bellwether.pipeline.run_pipeline`",
              "with its checks, no Dagster.", ""]  # fmt: skip
    rows = []
    for s in sizes:
        d, v, b = (
            runs.get(f"{k}/{s}")
            for k in ("dagster_backfill", "dagster_backfill_planned_subset", "bare_backfill")
        )
        if not any((d, v, b)):
            continue
        ok = _ok(d)
        sessions = ok[0]["extra"].get("sessions") if ok else None
        rows.append([s, str(sessions or "-"),
                     f"{fmt_s(med(d))} (n={_n(d)})", f"{fmt_s(med(v))} (n={_n(v)})" if v else "-",
                     f"{fmt_s(med(b))} (n={_n(b)})", fmt_x(ratio(med(d), med(b))),
                     fmt_x(ratio(med(v), med(b))) if v else "-",
                     fmt_mb(peak(d)), fmt_mb(peak(b))])  # fmt: skip
    lines += _table(["size", "sessions", "Dagster", "Dagster, planned subset", "bare",
                     "Dagster / bare", "variant / bare", "peak RSS Dagster", "peak RSS bare"], rows)  # fmt: skip
    lines += ["Events a Dagster backfill stores (first run of each size):", ""]
    rows = []
    for s in sizes:
        for key in ("dagster_backfill", "dagster_backfill_planned_subset"):
            ok = _ok(runs.get(f"{key}/{s}"))
            if ok:
                ev = ok[0]["extra"].get("events", {})
                main = ", ".join(f"{k} {v}" for k, v in list(ev.items())[:4])
                rows.append(
                    [s, "variant" if "planned" in key else "default", str(sum(ev.values())), main]
                )
    lines += _table(["size", "run", "events", "largest kinds"], rows)

    lines += ["## 3-4. Metric engines: polars vs DuckDB SQL vs naive pandas", "",
              "The six metrics (daily returns, streaks, technicals, relative performance, sector",
              "performance, breadth) over the full history of a size, from validated bars in",
              "memory: `bellwether.metrics` (polars), `sql/reference` through",
              "`bellwether.reference_sql` (DuckDB, in-memory connection), and",
              "`bench/naive_pandas.py` (a per-symbol pandas loop as tutorials write it).",
              "Agreement compares per-column sums and null counts of every output with polars'.", ""]  # fmt: skip
    rows = []
    for s in sizes:
        p, q, d = (runs.get(f"engine_{e}/{s}") for e in ("polars", "duckdb_sql", "naive_pandas"))
        if not any((p, q, d)):
            continue
        ok = _ok(p) or _ok(q) or _ok(d)
        n_rows = ok[0]["extra"].get("rows") if ok else None
        rows.append([s, f"{n_rows:,}" if n_rows else "-", f"{fmt_s(med(p))} (n={_n(p)})",
                     f"{fmt_s(med(q))} (n={_n(q)})", f"{fmt_s(med(d))} (n={_n(d)})",
                     fmt_x(ratio(med(q), med(p))), fmt_x(ratio(med(d), med(p))),
                     f"{fmt_mb(peak(p))} / {fmt_mb(peak(q))} / {fmt_mb(peak(d))}",
                     _agreement(runs, s)])  # fmt: skip
    lines += _table(["size", "bars", "polars", "DuckDB SQL", "naive pandas", "SQL / polars",
                     "pandas / polars", "peak RSS (p / SQL / pd)", "agreement"], rows)  # fmt: skip

    lines += ["## 5. Daily incremental run", "",
              "One new session (2026-01-02) with every asset and check, on a copy of a warehouse",
              "that already holds the history (built by the bare pipeline); Dagster in a fresh",
              "instance, `partition_key` = the session. The history is fed as Yahoo feeds it:",
              "stored on the basis of its last session (one download), the day on its own, so",
              "the day's splits and dividends re-base their tickers' whole history.", ""]  # fmt: skip
    rows = []
    base_d = base_b = None
    order = doc.get("daily_sizes") or []
    keys = {k.split("/", 1)[1] for k in runs if k.startswith("daily_")}
    base_q = base_v = None
    for key in sorted(keys, key=lambda n: (order.index(n) if n in order else len(order), n)):
        d, b = runs.get(f"daily_dagster/{key}"), runs.get(f"daily_bare/{key}")
        q = runs.get(f"daily_bare_no_actions/{key}")
        v = runs.get(f"daily_bare_dividends/{key}")
        if base_d is None:
            base_d, base_b, base_q, base_v = med(d), med(b), med(q), med(v)
        rows.append([key, f"{fmt_s(med(d))} (n={_n(d)})", fmt_x(ratio(med(d), base_d)),
                     f"{fmt_s(med(b))} (n={_n(b)})", fmt_x(ratio(med(b), base_b)),
                     f"{fmt_s(med(v))} (n={_n(v)})", fmt_x(ratio(med(v), base_v)),
                     f"{fmt_s(med(q))} (n={_n(q)})", fmt_x(ratio(med(q), base_q)),
                     fmt_mb(peak(d)), fmt_mb(peak(b))])  # fmt: skip
    if rows:
        lines += ["The column 'bare, dividends only' is the same day with its split dropped",
                  "(its dividends re-base their stocks' adj_close); 'bare, no actions' with every",
                  "corporate action dropped (its bars unchanged): nothing is re-based.", ""]  # fmt: skip
        lines += _table(["history", "Dagster", "vs shortest", "bare", "vs shortest",
                         "bare, dividends only", "vs shortest", "bare, no actions", "vs shortest",
                         "peak RSS Dagster", "peak RSS bare"], rows)  # fmt: skip
    else:
        lines += ["Not measured in this run.", ""]

    lines += ["## 6. Named query latency", ""]
    qkey = next((k for k in runs if k.startswith("queries/")), None)
    ok = _ok(runs.get(qkey)) if qkey else []
    if ok:
        qs = ok[0]["extra"]["queries"]
        lines += [f"Every `sql/queries` file via `bellwether.queries.run_query` on the {qkey.split('/')[1]}",
                  "warehouse (read-only connection): the first (cold) run, then the median of the warm",
                  "runs. Universe parameters: `stocks` (every synthetic stock) or, for breadth queries,",
                  "the `stocks` breadth universe. A row named `query (param=value)` is the same query",
                  "again with that parameter (the universe its documentation names), after the first.",
                  ""]  # fmt: skip
        rows = []
        for name, v in sorted(qs.items()):
            if "times_ms" in v:
                w = statistics.median(v["times_ms"])
                ok = w <= QUERY_LIMIT_MS and v["cold_ms"] <= QUERY_COLD_LIMIT_MS
                rows.append([f"`{name}`", str(v["rows"]), f"{v['cold_ms']:.1f}", f"{w:.1f}",
                             str(len(v["times_ms"])), "yes" if ok else "**no**"])  # fmt: skip
            else:
                rows.append(
                    [f"`{name}`", "-", "-", "-", "-", v.get("skipped") or v.get("error", "")]
                )
        lines += _table(
            [
                "query",
                "rows",
                "cold ms",
                "warm median ms",
                "n",
                f"<= {QUERY_COLD_LIMIT_MS:.0f} ms cold, <= {QUERY_LIMIT_MS:.0f} ms warm",
            ],
            rows,
        )
    else:
        lines += ["Not measured in this run.", ""]

    prof = [(k, _ok(v)) for k, v in runs.items() if k.startswith("profile/")]
    if prof:
        lines += ["## Profiles of the cases behind missed targets", ""]
        for key, ok in prof:
            if ok:
                lines += _profile_lines(ok[0], key.removeprefix("profile/"))
    lines += ["## All cases", "",
              "Median, min and max seconds and peak memory of every case of this run; max load is",
              "the highest 1-minute load average seen at the start or end of its runs (the machine",
              "has 2 cores: a load above 2 means other processes competed for them).", ""]  # fmt: skip
    rows = []
    for key, rs in sorted(runs.items()):
        ok = _ok(rs)
        secs = [r["seconds"] for r in ok]
        failed = len(rs) - len(ok)
        loads = [x for r in ok for x in r.get("loadavg_1m", [])]
        rows.append([f"`{key}`", str(len(ok)) + (f" ({failed} failed)" if failed else ""),
                     fmt_s(med(rs)), fmt_s(min(secs)) if secs else "-", fmt_s(max(secs)) if secs else "-",
                     fmt_mb(peak(rs)), f"{max(loads):.1f}" if loads else "-"])  # fmt: skip
    lines += _table(["case", "n", "median", "min", "max", "peak RSS", "max load"], rows)
    if ANALYSIS.exists():
        lines += [ANALYSIS.read_text().rstrip(), ""]
    if HISTORY.exists():
        lines += [HISTORY.read_text().rstrip(), ""]
    return "\n".join(lines)
