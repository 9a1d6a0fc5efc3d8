"""Shared fixtures. No test touches the network: sockets are refused for the whole session
(yfinance is exercised through recorded responses replayed by a transport adapter)."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bellwether.warehouse import Warehouse

ROOT = Path(__file__).resolve().parent.parent
#: A fixed "now" well after every bundled session, so closed-session cutoffs are stable.
NOW = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)


class NetworkBlockedError(RuntimeError):
    pass


@pytest.fixture(autouse=True, scope="session")
def _no_network():
    """Refuse every non-loopback connection attempt made by the code under test."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            return real_connect(self, address)
        raise NetworkBlockedError(f"test tried to reach the network: {address!r}")

    socket.socket.connect = guarded
    try:
        yield
    finally:
        socket.socket.connect = real_connect


@pytest.fixture(autouse=True, scope="session")
def _own_instance_and_docs(tmp_path_factory):
    """Each test process (an xdist worker) has its own Dagster instance folder (a copy of
    the project's dagster.yaml) and its own Great Expectations Data Docs folder, so no two
    workers write the same SQLite or HTML files."""
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    patch = pytest.MonkeyPatch()
    patch.setenv("DAGSTER_HOME", str(home))
    patch.setenv("BELLWETHER_GX_DOCS", str(tmp_path_factory.mktemp("gx_docs")))
    try:
        yield
    finally:
        patch.undo()


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path / "warehouse.duckdb", lock_timeout_s=2.0)


#: The bundled sample's full span (indices and broad ETFs run to 2026-06-29).
BUNDLED_FIRST = date(2024, 1, 2)
BUNDLED_LAST = date(2026, 6, 29)


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory, worker_id) -> Warehouse:
    """A warehouse with every bundled session landed and every mart built (no Dagster).

    Built once per test session however many pytest-xdist workers there are: the first
    worker to ask builds it under a file lock in the session's shared temporary folder, the
    others wait and open the same file. Tests must only read it (connect read_only=True).
    """
    from filelock import FileLock

    from bellwether.pipeline import run_pipeline
    from bellwether.sources.bundled import BundledSource
    from bellwether.universe import default_universe

    # each worker has its own base folder; their parent is shared by the session's workers
    root = tmp_path_factory.getbasetemp()
    shared = root if worker_id == "master" else root.parent
    folder = shared / "built_warehouse"
    wh = Warehouse(folder / "warehouse.duckdb")
    with FileLock(str(shared / "built_warehouse.lock")):
        if not (folder / "complete").exists():
            folder.mkdir(exist_ok=True)
            run_pipeline(
                wh, BundledSource(), default_universe(), BUNDLED_FIRST, BUNDLED_LAST, now=NOW
            )
            (folder / "complete").touch()
    return wh


class LockConflicts:
    """The DuckDB lock conflicts this process's ``duckdb.connect`` calls met, in order (the
    error text, which names the holder's PID), and a hook called after each one."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.on_conflict: Callable[[], None] = lambda: None

    def naming(self, pid: int) -> list[str]:
        return [text for text in self.seen if f"PID {pid}" in text]


@pytest.fixture
def lock_conflicts(monkeypatch) -> LockConflicts:
    """Records every lock conflict met while opening a DuckDB file: a retry that happened
    shows as a conflict followed by another attempt."""
    import duckdb

    conflicts = LockConflicts()
    real_connect = duckdb.connect

    def connect(*args, **kwargs):
        try:
            return real_connect(*args, **kwargs)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                conflicts.seen.append(str(exc))
                conflicts.on_conflict()
            raise

    monkeypatch.setattr(duckdb, "connect", connect)
    return conflicts
