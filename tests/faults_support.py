"""Shared set-up and invariants of the fault-injection and soak tests (tests/test_faults_*.py,
tests/test_soak.py).

* a small universe over the bundled sample (indices, broad and sector ETFs with the
  2025-12-05 splits, two banks, eight constituents including FISV with its missing
  2025-11-12 bar and Q starting 2025-10-27), and its bars as a files source;
* the invariants the tests assert after every fault: no duplicate key, every check recorded
  for every landed session, every mart equal to a full recompute, per-session digests;
* ``python -m tests.faults_support run ...``: a run of the pipeline in a child process that
  the tests kill with SIGKILL.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from bellwether.integrity import frame_digest
from bellwether.pipeline import build_marts
from bellwether.registry import MARTS
from bellwether.sources.files import FileSource
from bellwether.universe import UniverseConfig, default_universe, parse_universe
from bellwether.warehouse import Warehouse
from checks.run import MART_CHECKS, RAW_CHECKS

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
#: A fixed "now" after every bundled session.
NOW = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
FILE_COLUMNS = ["date", "ticker", "open", "high", "low", "close", "adj_close", "volume"]

MARKET = ["^GSPC", "^IXIC", "^DJI", "^RUT", "SPY", "QQQ", "DIA", "IWM", "XLE", "XLF", "XLK", "XLU"]
BANKS = ["HBAN", "RF"]
STOCKS = ["AAPL", "MSFT", "NVDA", "JPM", "XOM", "KO", "FISV", "Q"]

MART_KEYS = {
    "marts.daily_returns": ["ticker", "session_date"],
    "marts.streaks": ["ticker", "session_date"],
    "marts.technicals": ["ticker", "session_date"],
    "marts.relative_performance": ["ticker", "benchmark", "session_date"],
    "marts.sector_performance": ["session_date", "ticker"],
    "marts.breadth": ["universe", "session_date"],
}
KEYS = {
    "raw.daily_bars": ["ticker", "session_date"],
    "raw.corporate_actions": ["ticker", "ex_date", "action"],
    "dq.check_results": ["session_date", "asset", "check"],
    **MART_KEYS,
}


def instrument_entries(symbols: list[str]) -> list[dict]:
    """``symbols`` as universe-file instrument entries, copied from ``config/universe.yaml``."""
    full = default_universe()
    return [
        {
            "symbol": s,
            "kind": full.instruments[s].kind,
            "sector": full.instruments[s].sector,
            "size_class": full.instruments[s].size_class,
            "price_decimals": full.instruments[s].price_decimals,
        }
        for s in symbols
    ]


@functools.cache
def small_universe() -> UniverseConfig:
    """The fault tests' universe (module doc); stocks are active on their sample window."""
    return parse_universe(
        {
            "instruments": instrument_entries([*MARKET, *BANKS, *STOCKS]),
            "universes": {
                "market": {"members": MARKET, "breadth": True},
                "banks": {"members": BANKS, "breadth": True},
                "stocks": {
                    "members": STOCKS,
                    "breadth": True,
                    "active_from": "2025-06-02",
                    "active_to": "2026-01-30",
                },
            },
            "relative_pairs": [
                {"ticker": t, "benchmark": b}
                for t, b in [("^RUT", "^GSPC"), ("IWM", "SPY"), ("XLK", "SPY"), ("HBAN", "XLF")]
            ],
            "etf_index_tracking": [
                {"etf": e, "index": i}
                for e, i in [("SPY", "^GSPC"), ("QQQ", "^IXIC"), ("IWM", "^RUT"), ("DIA", "^DJI")]
            ],
        }
    )


@functools.cache
def _sample() -> pl.DataFrame:
    frames = [
        pl.read_csv(SAMPLE / f, try_parse_dates=True, schema_overrides={"volume": pl.Float64})
        for f in ("market_sample.csv", "constituents_sample.csv")
    ]
    return pl.concat(frames).unique(["ticker", "date"], keep="first").sort("ticker", "date")


def sample_bars(symbols: list[str], first: date, last: date) -> pl.DataFrame:
    """Bundled bars (file format) of ``symbols`` on ``first..last``."""
    return (
        _sample()
        .filter(pl.col("ticker").is_in(symbols) & pl.col("date").is_between(first, last))
        .select(FILE_COLUMNS)
    )


def sample_actions(symbols: list[str]) -> pl.DataFrame:
    return pl.read_csv(SAMPLE / "corporate_actions.csv").filter(pl.col("ticker").is_in(symbols))


def write_files_source(folder: Path, bars: pl.DataFrame, actions: pl.DataFrame | None = None):
    """Write ``bars`` (file format) and actions as a folder for the files source."""
    folder.mkdir(parents=True, exist_ok=True)
    bars.select(FILE_COLUMNS).write_csv(folder / "bars.csv")
    if actions is not None:
        actions.write_csv(folder / "corporate_actions.csv")
    return folder


def files_source(folder: Path) -> FileSource:
    return FileSource(folder, root=folder, name="files")


# --- invariants -------------------------------------------------------------------------


def read_table(wh: Warehouse, table: str, columns: list[str] | None = None) -> pl.DataFrame:
    """A whole table (or some of its columns) as a polars frame, read-only."""
    with wh.connect(read_only=True) as con:
        relation = con.table(table)
        return (relation.select(*columns) if columns else relation).pl()


def duplicate_keys(wh: Warehouse) -> dict[str, int]:
    """Tables with a key that appears more than once (and how many such keys)."""
    out = {}
    for table, keys in KEYS.items():
        n = read_table(wh, table, keys).group_by(keys).len().filter(pl.col("len") > 1).height
        if n:
            out[table] = n
    rejects = read_table(wh, "raw.rejected_bars").drop("ingest_id", "run_id", "rejected_at")
    if rejects.height != rejects.unique().height:
        out["raw.rejected_bars (identical rows)"] = rejects.height - rejects.unique().height
    return out


def expected_checks(use_gx: bool) -> dict[str, set[str]]:
    raw = {c for c in RAW_CHECKS if use_gx or not c.startswith("gx_")}
    out = {"raw/daily_bars": raw}
    for spec in MARTS.values():
        # every check is recorded per session, except recompute: once per run, on the
        # mart's last session
        checks = set(spec.checks) - {"recompute"}
        assert checks <= set(MART_CHECKS)
        out[spec.asset] = checks
    return out


def missing_checks(wh: Warehouse, *, use_gx: bool) -> list[tuple[date, str, str]]:
    """(session, asset, check) that a landed session has no recorded result for."""
    sessions = read_table(wh, "raw.daily_bars", ["session_date"])["session_date"].unique()
    recorded = set(
        read_table(wh, "dq.check_results", ["session_date", "asset", '"check"']).iter_rows()
    )
    return sorted(
        (s, asset, check)
        for s in sessions
        for asset, checks in expected_checks(use_gx).items()
        for check in checks
        if (s, asset, check) not in recorded
    )


def copy_warehouse(wh: Warehouse, folder: Path) -> Warehouse:
    """A copy of the warehouse file (and its WAL, if a killed writer left one)."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in (wh.path, wh.path.with_name(wh.path.name + ".wal")):
        if f.exists():
            shutil.copy(f, folder / f.name)
    return Warehouse(folder / wh.path.name)


def marts_of(wh: Warehouse) -> dict[str, pl.DataFrame]:
    return {t: read_table(wh, t).sort(k) for t, k in MART_KEYS.items()}


def assert_marts_equal(
    got: dict[str, pl.DataFrame], want: dict[str, pl.DataFrame], *, rel_tol: float = 1e-9
) -> None:
    """Every mart in ``got`` equals the one in ``want`` (both sorted by key; floats within
    ``rel_tol``), by :func:`polars.testing.assert_frame_equal`; a failure names the table."""
    for table in got:
        try:
            assert_frame_equal(got[table], want[table], rel_tol=rel_tol, abs_tol=1e-12)
        except AssertionError as exc:
            raise AssertionError(f"{table}: {exc}") from None


def assert_equals_full_recompute(wh: Warehouse, universe: UniverseConfig, folder: Path) -> None:
    """The stored marts equal ONE build of every landed session into a copy."""
    sessions = read_table(wh, "raw.daily_bars", ["session_date"])["session_date"]
    copy = copy_warehouse(wh, folder)
    build_marts(copy, sessions.min(), sessions.max(), universe)
    try:
        assert_marts_equal(marts_of(wh), marts_of(copy))
    finally:
        shutil.rmtree(folder)


def run_history_mismatches(wh: Warehouse) -> dict[str, str]:
    """How the stored run history (``marts.streak_*``, ``marts.relative_*``) differs from a
    recompute from the stored marts (empty when equal)."""
    from bellwether.run_state import RELATIVE_HISTORY, STREAK_HISTORY, recompute

    out = {}
    for h in (STREAK_HISTORY, RELATIVE_HISTORY):
        mart = read_table(wh, f"marts.{h.mart}", [*h.by, "session_date", *h.kinds.values()])
        ends, since = recompute(mart, h)
        for table, want in zip(h.tables, (ends, since), strict=True):
            key = [*h.by, "run_end" if table.endswith("_history") else "session_date"]
            if table.endswith("_history"):
                key.insert(len(h.by), "kind")
            got = read_table(wh, table).select(want.columns).sort(key)
            want = want.cast(got.schema).sort(key)  # type: ignore[arg-type]
            if not got.equals(want):
                diff = pl.concat([got.join(want, on=got.columns, how="anti").with_columns(
                    pl.lit("stored").alias("_side")), want.join(got, on=got.columns, how="anti")
                    .with_columns(pl.lit("recomputed").alias("_side"))])  # fmt: skip
                out[table] = f"{got.height} stored, {want.height} recomputed; {diff.head(6)}"
    out.update(_period_state_mismatches(wh))
    return out


def _period_state_mismatches(wh: Warehouse) -> dict[str, str]:
    """``marts.period_bases`` and ``marts.close_records`` against a recompute from the raw
    bars (every month after a ticker's first bar up to the month after the last bar) and
    from the stored technicals rows."""
    from bellwether.metrics.period_state import close_records, month_after, months_between
    from bellwether.metrics.period_state import period_bases as bases

    out = {}
    bars = read_table(wh, "raw.daily_bars", ["ticker", "session_date", "close"])
    months = months_between(bars["session_date"].min(), month_after(bars["session_date"].max()))
    technicals = read_table(
        wh, "marts.technicals", ["ticker", "session_date", "close", "is_record_close"]
    )
    for table, want, key in (
        ("marts.period_bases", bases(bars, months), ["ticker", "period_start"]),
        ("marts.close_records", close_records(technicals), ["ticker", "session_date"]),
    ):
        got = read_table(wh, table).select(want.columns).sort(key)
        want = want.sort(key)
        if not got.equals(want):
            only_got = got.join(want, on=got.columns, how="anti", join_nulls=True)
            only_want = want.join(got, on=got.columns, how="anti", join_nulls=True)
            out[table] = f"stored only: {only_got.head(5)}; recomputed only: {only_want.head(5)}"
    return out


def session_digests(wh: Warehouse, table: str, column: str = "session_date") -> dict:
    """``{session: digest of that session's rows}`` of one table."""
    frame = read_table(wh, table)
    return {
        key[0]: frame_digest(part)
        for key, part in frame.partition_by(column, as_dict=True, maintain_order=False).items()
    }


# --- a pipeline run in a child process ----------------------------------------------------

RUN_SCRIPT_ARGS = ("warehouse", "files", "first", "last", "now")


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELLWETHER_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def start_child_run(
    warehouse: Path, files: Path, first: date, last: date, now: datetime = NOW, *, full=False
) -> subprocess.Popen:
    """Start ``run_pipeline`` over ``first..last`` from the files in ``files`` in a child
    process (the default universe if ``full``, else the small one); it prints ``started``
    once imported and ``done`` at the end."""
    cmd = [sys.executable, "-m", "tests.faults_support", "run", str(warehouse), str(files),
           first.isoformat(), last.isoformat(), now.isoformat()] + (["--full"] if full else [])  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    line = proc.stdout.readline().strip()
    assert line == "started", (line, proc.stderr.read() if proc.poll() is not None else "")
    return proc


def wait_until(condition: Callable[[], bool], timeout_s: float, poll_s: float = 0.0005) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout_s`` passed (False)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll_s)
    return False


def _main(argv: list[str]) -> int:
    from bellwether.pipeline import run_pipeline

    parser = argparse.ArgumentParser(prog="python -m tests.faults_support")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    for name in RUN_SCRIPT_ARGS:
        run.add_argument(name)
    run.add_argument("--full", action="store_true")
    args = parser.parse_args(argv)
    universe = default_universe() if args.full else small_universe()
    wh = Warehouse(args.warehouse, lock_timeout_s=300)
    source = files_source(Path(args.files))
    print("started", flush=True)
    run_pipeline(
        wh, source, universe, date.fromisoformat(args.first), date.fromisoformat(args.last),
        now=datetime.fromisoformat(args.now), use_gx=False,
    )  # fmt: skip
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
