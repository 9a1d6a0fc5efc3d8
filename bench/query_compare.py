"""Named queries before and after a change, on one warehouse (targeted run).

``python -m bench.query_compare build SIZE DIR``: a history of ``SIZE`` built by the bare
pipeline (``bench.cases.case_history``), kept as ``DIR/history-SIZE.duckdb``.

``python -m bench.query_compare compare WAREHOUSE BASE_COMMIT [REPEATS]``: every named query
with the parameters of ``bench.cases.query_params`` (universe ``stocks``, as_of 2025-12-31,
start 2025-01-01), run with the base commit's ``sql/queries`` and ``sql/macros`` on one copy
of the warehouse and with the current ones on another: the cold run, the median wall time
and the median CPU time (``time.process_time``, every DuckDB thread) of ``REPEATS`` warm
runs, and whether the two results are equal. Writes ``qtime.json`` beside the warehouse.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb


def _git_show(base: str, path: str) -> str:
    return subprocess.run(
        ["git", "show", f"{base}:{path}"], capture_output=True, text=True, check=True
    ).stdout


def build(size_name: str, workdir: Path) -> None:
    from bench.cases import case_history
    from bench.sizes import parse_size

    size = parse_size(size_name)
    workdir.mkdir(parents=True, exist_ok=True)
    out: dict = {"extra": {}}
    t0 = time.time()
    keep = workdir / f"history-{size.name}.duckdb"
    case_history(
        {"size": size.to_dict(), "workdir": str(workdir), "keep_warehouse": str(keep)}, out
    )
    print(json.dumps({"seconds": time.time() - t0, "warehouse": str(keep)}))


def compare(warehouse: Path, base: str, repeats: int) -> dict:
    from bellwether.queries import bind_params, list_queries
    from bellwether.warehouse import Warehouse
    from bench.cases import query_params

    new_path, old_path = warehouse.parent / "q_new.duckdb", warehouse.parent / "q_old.duckdb"
    for p in (new_path, old_path):
        shutil.copy(warehouse, p)
    with Warehouse(new_path).connect():  # the current schema and macros
        pass
    con = duckdb.connect(str(old_path))
    listing = subprocess.run(
        ["git", "ls-tree", "--name-only", base, "sql/macros/"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    for name in listing:
        con.execute(_git_show(base, name))
    con.close()
    as_of, first = date(2025, 12, 31), date(2025, 1, 1)
    out: dict = {}
    for q in list_queries():
        params = query_params(q, "stocks", as_of, first)
        if params is None:
            continue
        values = bind_params(q, params)
        res: dict = {}
        frames = {}
        old_sql = _git_show(base, f"sql/queries/{q.name}.sql")
        for label, path, sql in (("old", old_path, old_sql), ("new", new_path, q.sql)):
            c = duckdb.connect(str(path), read_only=True)
            t = time.perf_counter()
            frames[label] = c.sql(sql, params=values).pl()
            cold = time.perf_counter() - t
            warm, cpu = [], []
            for _ in range(repeats):
                t, u = time.perf_counter(), time.process_time()
                c.sql(sql, params=values).pl()
                warm.append(time.perf_counter() - t)
                cpu.append(time.process_time() - u)
            c.close()
            res[label] = {
                "cold_ms": round(cold * 1e3, 1),
                "warm_ms": round(statistics.median(warm) * 1e3, 1),
                "warm_cpu_ms": round(statistics.median(cpu) * 1e3, 1),
                "rows": frames[label].height,
            }
        res["same_result"] = frames["old"].equals(frames["new"])
        out[q.name] = res
        print(q.name, json.dumps(res), flush=True)
    (warehouse.parent / "qtime.json").write_text(json.dumps(out, indent=1))
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["build"] and len(argv) == 3:
        build(argv[1], Path(argv[2]))
        return 0
    if argv[:1] == ["compare"] and len(argv) in (3, 4):
        compare(Path(argv[1]), argv[2], int(argv[3]) if len(argv) == 4 else 10)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
