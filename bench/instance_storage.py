"""The same Dagster backfill with the instance on SQLite and on PostgreSQL, side by side.

    python -m bench.instance_storage --size sample --workdir /tmp/instance-storage

Runs the ``dagster_backfill`` case of :mod:`bench.cases` (every session of the size as ONE
run of the raw and mart assets, a new warehouse each time) twice, each in its own process:
with the project's instance (``dagster_home/dagster.yaml``: SQLite under DAGSTER_HOME) and
with ``config/dagster.postgres.yaml`` against a PostgreSQL server started for it
(``bench.postgres_server``, as ``tests/test_dagster_postgres.py`` starts one; Debian's
``postgresql`` package, ``fsync=off``). Prints seconds, events stored and peak RSS per
storage, and the warehouse's row count of ``raw.daily_bars`` (the same in both).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from bellwether.settings import PROJECT_ROOT
from bench.postgres_server import pg_bin, postgres_server
from bench.sizes import parse_size

POSTGRES_YAML = PROJECT_ROOT / "config" / "dagster.postgres.yaml"


def _bars(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM raw.daily_bars").fetchone()[0]
    finally:
        con.close()


def _run(size, folder: Path, env: dict[str, str], dagster_yaml: Path | None) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    spec = {"case": "dagster_backfill", "size": size.to_dict(), "workdir": str(folder / "work"),
            "result_path": str(folder / "result.json"),
            "dagster_yaml": str(dagster_yaml) if dagster_yaml else None}  # fmt: skip
    (folder / "spec.json").write_text(json.dumps(spec))
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bench.cases", str(folder / "spec.json")],
        cwd=PROJECT_ROOT, env={**env, "PYTHONWARNINGS": "ignore",
                               "BELLWETHER_GX_DOCS": str(folder / "gx")},
        check=False, capture_output=True,
    )  # fmt: skip
    out = json.loads((folder / "result.json").read_text())
    out["process_seconds"] = time.perf_counter() - started
    out["bars"] = _bars(folder / "work" / "warehouse.duckdb") if out["ok"] else None
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instance_storage", description=__doc__)
    parser.add_argument("--size", default="sample")
    parser.add_argument("--workdir", type=Path, default=PROJECT_ROOT / "bench/out/instance_storage")
    args = parser.parse_args(argv)
    size = parse_size(args.size)
    bin_dir = pg_bin()
    if bin_dir is None:
        parser.error("PostgreSQL is not installed (apt-get install postgresql)")
    rows = {"sqlite": _run(size, args.workdir / "sqlite", dict(os.environ), None)}
    with postgres_server(bin_dir) as pg:
        env = {**os.environ, **{f"BELLWETHER_DAGSTER_PG_{k}": v for k, v in pg.items()}}
        rows["postgres"] = _run(size, args.workdir / "postgres", env, POSTGRES_YAML)
    print(f"backfill of {size.name}: "
          f"{rows['sqlite']['extra'].get('sessions')} sessions as one run; load {os.getloadavg()}")  # fmt: skip
    for storage, r in rows.items():
        events = sum(r["extra"].get("events", {}).values())
        print(f"{storage:9s} ok={r['ok']} {r['seconds']:8.1f} s (process {r['process_seconds']:.0f} s) "
              f"events {events}, peak RSS {r['peak_rss_mb']:.0f} MB, bars {r['bars']}")  # fmt: skip
        if not r["ok"]:
            print(r.get("error", ""))
    return 0 if all(r["ok"] for r in rows.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
