"""Targeted runs of single benchmark cases, without the whole harness (``make bench``).

``python -m bench.targeted any_order 500x11y WORKDIR``
    ``any_order_backfill`` (the last year built first, then every earlier year) and
    ``bare_backfill`` (every year in order, one run) at one size, back to back.
``python -m bench.targeted trailing 500x2y WORKDIR``
    a history of that size (``bare_backfill``), then the daily run of the next session
    without and with the trailing re-land (``daily`` modes ``bare`` / ``bare_trailing``),
    twice each, alternating.

``python -m bench.targeted actions WAREHOUSES WORKDIR``
    the bare daily run of 2026-01-02 for 3,000 symbols on the harness's 1- and 25-year
    histories (``WAREHOUSES/3000x1y.duckdb``, ``WAREHOUSES/3000x25y.duckdb``) with the
    day's corporate actions and without them (``daily`` spec ``"actions": false``),
    twice each, alternating: how much of the run's growth with history is re-basing.

``python -m bench.targeted rebase WAREHOUSES WORKDIR``
    the same bare daily run on both histories, each first put on the basis of its last
    session (as a history downloaded once is) and the day delivered on its own basis, as
    Yahoo's daily downloads are (``daily`` spec ``"daily_basis": true``): the day's
    actions then re-base the whole history of their tickers. Once each.

Each case runs in a process of its own through ``python -m bench.cases SPEC``, the entry
point the harness uses; results are printed and left in ``WORKDIR/<case>/result.json``
(the case's working folder, with its copy of a history, is removed).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from bellwether.calendar import sessions_between
from bench.sizes import LAST_DAY, parse_size


def run_case(root: Path, case_id: str, spec: dict) -> dict:
    folder = root / case_id
    folder.mkdir(parents=True)
    spec = {**spec, "workdir": str(folder / "work"), "result_path": str(folder / "result.json")}
    (folder / "spec.json").write_text(json.dumps(spec))
    try:
        subprocess.run([sys.executable, "-m", "bench.cases", str(folder / "spec.json")], check=True)
    finally:  # the case's copy of a history (5 GB at 3000x25y) is not kept
        shutil.rmtree(folder / "work", ignore_errors=True)
    result = json.loads((folder / "result.json").read_text())
    print(case_id, f"{result['seconds']:.1f} s", result.get("extra") or "", flush=True)
    return result


def any_order(size_name: str, root: Path) -> None:
    size = parse_size(size_name)
    later = run_case(
        root, "any_order_backfill", {"case": "any_order_backfill", "size": size.to_dict()}
    )
    in_order = run_case(root, "bare_backfill", {"case": "bare_backfill", "size": size.to_dict()})
    print(f"any-order / in order: {later['seconds'] / in_order['seconds']:.2f}x")


def trailing(size_name: str, root: Path) -> None:
    size = parse_size(size_name)
    history = root / "history.duckdb"
    run_case(root, "history", {"case": "bare_backfill", "size": size.to_dict(),
                               "keep_warehouse": str(history)})  # fmt: skip
    session = next(
        s for s in sessions_between(LAST_DAY, date(LAST_DAY.year + 1, 1, 31)) if s > LAST_DAY
    )
    times: dict[str, list[float]] = {}
    for n, mode in enumerate(("bare", "bare_trailing", "bare", "bare_trailing")):
        result = run_case(
            root, f"daily_{mode}_{n}",
            {"case": "daily", "mode": mode, "history": str(history),
             "n_symbols": size.n_symbols, "session": session.isoformat()},
        )  # fmt: skip
        times.setdefault(mode, []).append(result["seconds"])
    print({mode: sorted(ts) for mode, ts in times.items()})


def actions(warehouses: str, root: Path) -> None:
    times: dict[str, list[float]] = {}
    for n in range(2):
        for years in (1, 25):
            for with_actions in (True, False):
                label = f"{years}y {'with' if with_actions else 'without'} actions"
                result = run_case(
                    root, f"daily_{years}y_{'with' if with_actions else 'without'}_{n}",
                    {"case": "daily", "mode": "bare", "actions": with_actions,
                     "history": str(Path(warehouses) / f"3000x{years}y.duckdb"),
                     "n_symbols": 3000, "session": "2026-01-02"},
                )  # fmt: skip
                times.setdefault(label, []).append(result["seconds"])
    print({label: [round(t, 2) for t in ts] for label, ts in times.items()})


def rebase(warehouses: str, root: Path) -> None:
    for years in (1, 25):
        run_case(
            root, f"daily_{years}y_daily_basis",
            {"case": "daily", "mode": "bare", "daily_basis": True,
             "history": str(Path(warehouses) / f"3000x{years}y.duckdb"),
             "n_symbols": 3000, "session": "2026-01-02"},
        )  # fmt: skip


def main(argv: list[str]) -> int:
    what, size_name, workdir = argv
    root = Path(workdir)
    shutil.rmtree(root, ignore_errors=True)
    {"any_order": any_order, "trailing": trailing, "actions": actions, "rebase": rebase}[what](
        size_name, root
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
