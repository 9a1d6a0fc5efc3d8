"""``python -m bench``: run the benchmark and write ``docs/BENCHMARKS.md``.

Options default to the environment (what ``make bench`` passes):

``--sizes`` / ``BENCH_SIZES``            sizes or presets, comma-separated (default ``all``:
                                         sample, 500x10y, 3000x25y; ``small``: tiny, sample)
``--repeats`` / ``BENCH_REPEATS``        runs per case, the median is reported (default 3)
``--groups`` / ``BENCH_GROUPS``          backfill, engines, daily, queries, demo (default all)
``--daily-symbols`` / ``BENCH_DAILY_SYMBOLS``  stocks of the daily-run case (default 3000)
``--daily-years`` / ``BENCH_DAILY_YEARS``      histories of the daily-run case (default 1,10,25)
``--max-repeat-seconds`` / ``BENCH_MAX_REPEAT_SECONDS``  don't repeat a longer case (900)
``--workdir`` / ``BENCH_WORKDIR``        scratch space, results.json (default bench/out)
``--report`` / ``BENCH_REPORT``          the Markdown report (default docs/BENCHMARKS.md)
``--resume`` / ``BENCH_RESUME=1``        keep the successful results of an interrupted run
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from bellwether.settings import PROJECT_ROOT
from bench.runner import GROUPS, Options, run_bench
from bench.sizes import parse_sizes, synthetic_size


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def parse_args(argv: list[str]) -> Options:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default=_env("BENCH_SIZES", "all"))
    p.add_argument("--repeats", type=int, default=int(_env("BENCH_REPEATS", "3")))
    p.add_argument("--groups", default=_env("BENCH_GROUPS", ",".join(GROUPS)))
    p.add_argument("--daily-symbols", type=int, default=int(_env("BENCH_DAILY_SYMBOLS", "3000")))
    p.add_argument("--daily-years", default=_env("BENCH_DAILY_YEARS", "1,10,25"))
    p.add_argument("--query-repeats", type=int, default=int(_env("BENCH_QUERY_REPEATS", "20")))
    p.add_argument(
        "--max-repeat-seconds",
        type=float,
        default=float(_env("BENCH_MAX_REPEAT_SECONDS", "900")),
        help="a case whose first run took longer is not repeated",
    )
    p.add_argument("--workdir", default=_env("BENCH_WORKDIR", str(PROJECT_ROOT / "bench" / "out")))
    p.add_argument(
        "--report", default=_env("BENCH_REPORT", str(PROJECT_ROOT / "docs" / "BENCHMARKS.md"))
    )
    p.add_argument("--no-report", action="store_true", help="write results.json only")
    p.add_argument("--no-profile", action="store_true", help="don't profile missed targets")
    p.add_argument("--resume", action="store_true", default=_env("BENCH_RESUME", "") == "1")
    p.add_argument(
        "--render-only",
        action="store_true",
        help="don't run anything: re-render the report from <workdir>/results.json",
    )
    a = p.parse_args(argv)
    groups = tuple(g.strip() for g in a.groups.split(",") if g.strip())
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        p.error(f"unknown group(s) {unknown}; use {', '.join(GROUPS)}")
    command = os.environ.get("BENCH_COMMAND") or "python -m bench " + shlex.join(argv)
    shown = {"BENCH_COMMAND", "BENCH_SIZES", "BENCH_REPEATS"}
    extra = [
        f"{k}={v}"
        for k, v in sorted(os.environ.items())
        if k.startswith("BENCH_") and k not in shown
    ]
    if extra and os.environ.get("BENCH_COMMAND"):
        command = f"{command} {' '.join(extra)}"
    return Options(
        sizes=parse_sizes(a.sizes),
        repeats=max(1, a.repeats),
        workdir=Path(a.workdir),
        report=None if a.no_report else Path(a.report),
        groups=groups,
        daily_sizes=[
            synthetic_size(a.daily_symbols, int(y)) for y in a.daily_years.split(",") if y.strip()
        ],
        query_repeats=a.query_repeats,
        max_repeat_seconds=a.max_repeat_seconds,
        profile_missed=not a.no_profile,
        resume=a.resume,
        command=command,
    )


def render_only(opts: Options) -> dict:
    """The report from an earlier run's ``results.json`` (e.g. after editing ANALYSIS.md)."""
    import json

    from bench.report import evaluate_targets, render
    from bench.sizes import Size

    doc = json.loads((opts.workdir / "results.json").read_text())
    opts.sizes = [Size.from_dict(s) for s in doc.get("sizes", [])] or opts.sizes
    targets = evaluate_targets(doc["runs"], opts)
    if opts.report is not None:
        opts.report.write_text(render(doc, targets))
    return {"doc": doc, "targets": targets}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    opts = parse_args(args)
    out = render_only(opts) if "--render-only" in args else run_bench(opts)
    for t in out["targets"]:
        print(f"{t['status']:>12}  {t['goal']}  ({t['detail']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
