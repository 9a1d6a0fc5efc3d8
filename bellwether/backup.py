"""A consistent copy of the warehouse file while runs may be going on.

:func:`backup_warehouse` opens the warehouse read-only, which takes DuckDB's shared file
lock: no writer can commit while it is held (a run that wants to write waits, with the
warehouse's lock retry, instead of failing). Under that lock it copies the file, and the
WAL a killed writer may have left next to it, into a new user-only folder, then opens the
copy and reads every table (DuckDB checks each block's checksum as it reads), so a backup
that does not open is known at once. Its content hashes (:mod:`bellwether.integrity`) are
written next to it, to verify a restore against (``docs/OPERATIONS.md``).
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from bellwether.integrity import table_hashes
from bellwether.warehouse import Warehouse

HASHES_FILE = "content_hashes.json"


def backup_warehouse(wh: Warehouse, dest: Path | str) -> Path:
    """Copy ``wh`` into a new folder ``dest/<UTC timestamp>/``; return the copied file."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = Path(dest) / stamp
    folder.mkdir(parents=True, mode=0o700)
    wal = wh.path.with_name(wh.path.name + ".wal")
    with wh.connect(read_only=True):  # the shared lock: no writer commits meanwhile
        for src in (wh.path, wal):
            if src.exists():
                shutil.copyfile(src, folder / src.name)
                os.chmod(folder / src.name, 0o600)
    copy = Warehouse(folder / wh.path.name)
    hashes = table_hashes(copy)  # opens the copy and reads every block of every table
    (folder / HASHES_FILE).write_text(json.dumps(hashes, indent=2, sort_keys=True))
    os.chmod(folder / HASHES_FILE, 0o600)
    return copy.path
