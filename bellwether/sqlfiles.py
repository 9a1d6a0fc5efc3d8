"""Named SQL files from the project's ``sql/`` folder.

SQL is never assembled from strings in code: every statement lives in ``sql/`` and is
loaded by its path without the ``.sql`` suffix (``load_sql("landing/insert_bars")``).
Values are always bound parameters.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bellwether.settings import SQL_DIR


@cache
def load_sql(name: str) -> str:
    """Text of ``sql/<name>.sql``; ``name`` may not leave the ``sql/`` folder."""
    path = (SQL_DIR / f"{name}.sql").resolve()
    if SQL_DIR.resolve() not in path.parents:
        raise ValueError(f"SQL name {name!r} escapes {SQL_DIR}")
    return path.read_text()


def sql_files(folder: str) -> list[Path]:
    """The ``.sql`` files of a ``sql/`` sub-folder, sorted by name."""
    return sorted((SQL_DIR / folder).glob("*.sql"))
