"""Where the files that ship with the package are read from.

The code reads files beside it at run time: every SQL statement (``sql/``), the universe
(``config/``), the bundled sample (``data/sample``) and the two documents the UI's check and
column descriptions are parsed from (``docs/QUALITY.md``, ``docs/METRICS.md``). In a
checkout (an editable install, ``make install``) they are the repository's own files; a
wheel carries copies of them under ``bellwether/_shipped/`` (``[tool.hatch.build.targets.
wheel.force-include]`` in pyproject.toml), so an installed package works outside a checkout.

:data:`SHIPPED_ROOT` is the folder those paths are relative to: the checkout when the
package is imported from one (the folder above ``bellwether/`` holds ``pyproject.toml`` and
``sql/``), else the package's ``_shipped`` folder.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR: Path = Path(__file__).resolve().parent
#: The repository, when the package is imported from a checkout (else it does not exist).
CHECKOUT_ROOT: Path = PACKAGE_DIR.parent
#: The copies a wheel carries.
WHEEL_ROOT: Path = PACKAGE_DIR / "_shipped"


def in_checkout() -> bool:
    """True when the package is imported from a checkout of the repository."""
    return (CHECKOUT_ROOT / "pyproject.toml").is_file() and (CHECKOUT_ROOT / "sql").is_dir()


SHIPPED_ROOT: Path = CHECKOUT_ROOT if in_checkout() else WHEEL_ROOT
