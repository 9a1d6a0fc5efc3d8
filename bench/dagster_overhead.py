"""Where Dagster's per-partition cost goes: the same backfill with Dagster's own options.

``python -m bench.dagster_overhead --size 20x60s`` runs the Dagster backfill of a size
(each variant in its own process, like :mod:`bench.cases`) as:

``default``          the project as it is
``planned_subset``   ``DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS=1``: one
                     ASSET_MATERIALIZATION_PLANNED event per asset instead of one per partition
``lean_metadata``    that, and no preview or chart in the materialization metadata (what
                     partition-scoped metadata, ``context.add_asset_metadata(...,
                     partition_key=<last>)``, would give every partition but the last)

and the bare pipeline, then prints seconds per variant, the events stored and their bytes
(the run's SQLite event log). An experiment for ``bench/ANALYSIS.md``, not part of
``make bench``; ``lean_metadata`` patches the project's metadata helpers in its own process
only.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bellwether.settings import PROJECT_ROOT
from bench.sizes import Size, parse_size

VARIANTS = ("default", "planned_subset", "lean_metadata")


def _event_bytes(home: Path) -> dict[str, list[float]]:
    """Events of the index shard by type: count and mean bytes; and check planned rows."""
    out: dict[str, list[float]] = {}
    db = home / "history" / "runs" / "index.db"
    if not db.exists():
        return out
    con = sqlite3.connect(db)
    try:
        for kind, n, avg in con.execute(
            "select dagster_event_type, count(*), avg(length(event)) from event_logs group by 1"
        ):
            out[str(kind)] = [n, avg]
        n, avg = con.execute(
            "select count(*), avg(length(evaluation_event)) from asset_check_executions"
        ).fetchone()
        out["asset_check_executions rows"] = [n, avg or 0]
    finally:
        con.close()
    return out


def child(spec: dict) -> dict:
    """One variant, in this process."""
    if spec["variant"] in ("planned_subset", "lean_metadata"):
        spec["planned_subset"] = True
    if spec["variant"] == "lean_metadata":
        import orchestration.ui_metadata as um

        um.relative_strength_metadata = lambda *a, **k: {}
        um.breadth_metadata = lambda *a, **k: {}
        um.daily_bars_preview = lambda *a, **k: {}
        import assets.marts

        assets.marts._markdown = lambda frame: ""
    if spec["variant"] == "bare":
        from bench.cases import case_bare_backfill as case
    else:
        from bench.cases import case_dagster_backfill as case
    out: dict = {"extra": {}}
    case(spec, out)
    home = Path(spec["workdir"]) / "dagster_home"
    out["extra"]["bytes"] = _event_bytes(home)
    return out


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.dagster_overhead")
    p.add_argument("--size", default="20x60s")
    p.add_argument("--workdir", default=str(PROJECT_ROOT / "bench" / "out" / "overhead"))
    p.add_argument("--child", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        spec = json.loads(Path(a.child).read_text())
        Path(spec["result_path"]).write_text(json.dumps(child(spec), default=str))
        return 0
    size: Size = parse_size(a.size)
    rows = []
    for variant in (*VARIANTS, "bare"):
        folder = Path(a.workdir) / variant
        folder.mkdir(parents=True, exist_ok=True)
        spec = {"case": "dagster_backfill", "variant": variant, "size": size.to_dict(),
                "workdir": str(folder / "work"), "result_path": str(folder / "result.json")}  # fmt: skip
        (folder / "spec.json").write_text(json.dumps(spec))
        t0 = time.perf_counter()
        env = {**os.environ, "BELLWETHER_GX_DOCS": str(folder / "gx"), "PYTHONWARNINGS": "ignore"}
        subprocess.run(
            [sys.executable, "-m", "bench.dagster_overhead", "--child", str(folder / "spec.json")],
            cwd=PROJECT_ROOT, env=env, check=True, capture_output=True,
        )  # fmt: skip
        res = json.loads((folder / "result.json").read_text())
        rows.append((variant, res["seconds"], res["extra"].get("bytes", {})))
        print(f"{variant:16s} {res['seconds']:8.1f} s (process {time.perf_counter() - t0:.0f} s)")
        for kind, (n, avg) in sorted(res["extra"].get("bytes", {}).items()):
            print(f"    {kind:34s} {int(n):7d} x {avg / 1024:8.1f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
