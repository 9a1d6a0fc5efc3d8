"""Quiet terminals: the warnings nobody running the project can act on are filtered in one
place (orchestration/quiet.py), for the definitions (make ui, dagster CLI) and the CLI."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _stderr(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-W", "default", "-c", code],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={"PATH": str(Path(sys.executable).parent), "HOME": str(ROOT), "DAGSTER_HOME": str(ROOT / "dagster_home")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_loading_the_definitions_prints_no_warning():
    err = _stderr("import orchestration.definitions")
    assert "Warning" not in err, err


def test_the_filters_keep_every_other_warning():
    err = _stderr(
        "import warnings, orchestration.quiet\n"
        "from dagster import BetaWarning\n"
        "warnings.warn('Parameter `other` of function `x` is currently in beta', BetaWarning)\n"
        "warnings.warn('your data looks odd', UserWarning)\n"
    )
    assert "Parameter `other`" in err and "your data looks odd" in err
