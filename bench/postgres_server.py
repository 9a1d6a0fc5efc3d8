"""A throw-away PostgreSQL server for the Dagster instance (Debian's ``postgresql``
package), as ``tests/test_dagster_postgres.py`` and ``bench.instance_storage`` start it."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from glob import glob
from pathlib import Path


def pg_bin() -> Path | None:
    """The folder of ``pg_ctl`` and ``initdb`` (PATH, else ``/usr/lib/postgresql/*/bin``)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(candidates[-1]).parent if candidates else None


def postgres_url(settings: dict[str, str]) -> str:
    """The SQLAlchemy URL of the server :func:`postgres_server` yields ``settings`` for."""
    s = settings
    return f"postgresql+psycopg2://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['DB']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_server(bin_dir: Path) -> Iterator[dict[str, str]]:
    """A new PostgreSQL cluster on 127.0.0.1 (password auth, a new password, ``fsync=off``)
    with a database ``dagster``; yields the ``BELLWETHER_DAGSTER_PG_*`` settings (without
    the prefix) that reach it. Stopped and removed on exit."""
    root = Path(tempfile.mkdtemp(prefix="bw-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()

    def pg(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, text=True, timeout=120)

    pwfile = root / "pw"
    login = secrets.token_hex(16)  # a new one for each server
    pwfile.write_text(login + "\n")
    if as_user:
        shutil.chown(pwfile, "postgres", "postgres")
    pg(str(bin_dir / "initdb"), "-D", str(data), "-A", "scram-sha-256", "-U", "postgres",
       f"--pwfile={pwfile}", "-E", "UTF8", "--no-sync")  # fmt: skip
    pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-o",
       f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")  # fmt: skip
    try:
        import psycopg2

        con = psycopg2.connect(host="127.0.0.1", port=port, user="postgres",
                               password=login, dbname="postgres")  # fmt: skip
        con.autocommit = True
        con.cursor().execute("CREATE DATABASE dagster")
        con.close()
        yield {"HOST": "127.0.0.1", "PORT": str(port), "DB": "dagster", "USER": "postgres",
               "PASSWORD": login}  # fmt: skip
    finally:
        pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
