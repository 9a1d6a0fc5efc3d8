"""Run ``dagster dev`` (webserver + daemon) on 127.0.0.1 against a throw-away instance.

:func:`dagster_dev` starts it with a temporary ``DAGSTER_HOME`` (the project's
``dagster_home/dagster.yaml`` copied in, the instance initialised once before the webserver
and the daemon open it together) and a temporary warehouse, waits until the webserver
answers, and on exit stops every process it started: they share one process group.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class DagsterDev:
    url: str
    dagster_home: Path
    warehouse: Path
    data_dir: Path
    log: Path
    process: subprocess.Popen


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(home: Path, data: Path) -> dict[str, str]:
    """The environment of ``make ui``, pointed at temporary folders, bundled data only."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BELLWETHER_", "DAGSTER_")) and k not in ("PYTEST_CURRENT_TEST",)
    }
    env.update(
        {
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "DAGSTER_HOME": str(home),
            "BELLWETHER_SOURCE": "bundled",
            "BELLWETHER_WAREHOUSE": str(data / "warehouse.duckdb"),
            "BELLWETHER_ARCHIVE": str(data / "archive"),
            "BELLWETHER_CHARTS": str(data / "charts"),
            "BELLWETHER_GX_DOCS": str(data / "gx_docs"),
            "BELLWETHER_REPORTS": str(data / "reports"),
        }
    )
    return env


def initialise_instance(home: Path) -> None:
    """Create the SQLite storages once, before two processes would race to create them."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    subprocess.run(
        [
            str(BIN / "python"),
            "-c",
            "import dagster as dg; dg.DagsterInstance.get().dispose()",
        ],
        env=environment(home, home.parent / "data"),
        cwd=ROOT,
        check=True,
        timeout=120,
    )


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"dagster dev exited with {process.returncode}:\n{log.read_text()[-4000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise TimeoutError(
        f"dagster dev did not answer on {url} in {timeout_s:.0f}s:\n{log.read_text()[-4000:]}"
    )


def _own_processes(marker: str) -> list[int]:
    """Processes whose command line names ``marker`` (our temporary DAGSTER_HOME)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline:
            pids.append(int(entry.name))
    return pids


def stop(process: subprocess.Popen, marker: str, grace_s: float = 30.0) -> None:
    """SIGINT the group (dagster dev shuts its children down), then SIGKILL what is left."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace_s)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    # A child that left the group (none is expected) still names the instance folder.
    for pid in _own_processes(marker):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@contextmanager
def dagster_dev(
    workdir: Path, log: Path, *, startup_timeout_s: float = 240.0
) -> Iterator[DagsterDev]:
    """``dagster dev -w workspace.yaml`` on a free 127.0.0.1 port, in ``workdir``."""
    home = workdir / "dagster_home"
    data = workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    initialise_instance(home)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(BIN / "dagster"), "dev", "-w", "workspace.yaml", "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=ROOT,
            env=environment(home, data),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one process group: stop() reaches every child
            # A background shell may have left SIGINT ignored; dagster dev shuts down on it.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )  # fmt: skip
    try:
        _wait_until_up(url, process, log, startup_timeout_s)
        yield DagsterDev(url, home, data / "warehouse.duckdb", data, log, process)
    finally:
        stop(process, str(home))
