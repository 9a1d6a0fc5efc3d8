"""Security defaults: the UI listens on loopback only, warehouse and archive files are
user-only, every dependency is pinned with hashes, and no secret is in the repository."""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest

from bellwether.warehouse import Warehouse

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
#: Runtime dependencies that pyproject.toml does not pin with ``==`` (uv.lock pins them,
#: with hashes). Pin them in pyproject.toml; a new entry here needs a reason.
UNPINNED_IN_PYPROJECT = {"pyyaml"}
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".sql", ".txt", ".cfg", ".ini", ".sh",
                 ".j2", ".json", ".csv", ".lock", ".html", ".js", ".ts", ".env"}  # fmt: skip


def project_files() -> list[Path]:
    """Tracked and not-ignored files (git), else every file outside the ignored folders."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT, capture_output=True, check=True, timeout=60,
        ).stdout  # fmt: skip
        names = [n for n in out.decode().split("\0") if n]
    except (OSError, subprocess.SubprocessError):
        skip = {".git", ".venv", ".tools", "data", "dagster_home", "__pycache__", "reports"}
        names = [
            str(p.relative_to(ROOT))
            for p in ROOT.rglob("*")
            if p.is_file() and not skip & set(p.relative_to(ROOT).parts)
        ]
    return [ROOT / n for n in names if (ROOT / n).is_file()]


def text_files() -> list[Path]:
    return [
        p
        for p in project_files()
        if p.suffix in TEXT_SUFFIXES or p.name in ("Makefile", "run", ".gitignore")
    ]


def test_the_ui_is_started_on_loopback_only():
    makefile = (ROOT / "Makefile").read_text()
    ui = re.search(r"^ui:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert ui, "the Makefile has a ui target"
    recipe = shlex.split(ui.group(1))
    assert "dagster" in recipe[0] and recipe[1] == "dev"
    assert recipe[recipe.index("--host") + 1] == "127.0.0.1"


@pytest.mark.parametrize("doc", ["Makefile", "README.md", "docs", "dagster_home/dagster.yaml"])
def test_no_command_or_config_binds_anything_but_loopback(doc):
    wildcard = re.compile(r"\b0\.0\.0\.0\b|\[::\]|(?<![\w:])::(?![\w:])")
    host = re.compile(r"(?:--host|--bind|-h)[ =]+['\"]?([^\s'\"]+)|\bhost:\s*['\"]?([^\s'\"]+)")
    paths = sorted((ROOT / doc).rglob("*.md")) if (ROOT / doc).is_dir() else [ROOT / doc]
    for path in paths:
        text = path.read_text()
        assert not wildcard.search(text), f"{path} binds a wildcard address"
        for m in host.finditer(text):
            value = m.group(1) or m.group(2)
            if value.startswith("$") or value.startswith("<"):
                continue
            assert value in LOOPBACK, f"{path}: {m.group(0)!r} is not loopback"


def test_a_new_warehouse_its_folder_and_its_wal_are_user_only(tmp_path):
    wh = Warehouse(tmp_path / "new" / "folder" / "wh.duckdb")
    before = os.umask(0o022)
    try:
        with wh.connect() as con:
            con.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
            con.execute("INSERT INTO t VALUES (1)")  # DuckDB creates the WAL now
            wal = wh.path.with_name(wh.path.name + ".wal")
            assert wal.exists() and stat.S_IMODE(wal.stat().st_mode) == 0o600
        assert stat.S_IMODE(wh.path.stat().st_mode) == 0o600
        assert stat.S_IMODE(wh.path.parent.stat().st_mode) == 0o700
        assert os.umask(0o022) == 0o022  # restored after the connection
    finally:
        os.umask(before)


def test_every_locked_package_is_pinned_to_one_version_with_hashes():
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    seen: dict[str, set[str]] = {}
    for package in lock["package"]:
        if {"editable", "virtual"} & set(package["source"]):
            continue  # the project itself
        name = package["name"]
        assert "registry" in package["source"], (name, package["source"])
        seen.setdefault(name, set()).add(package["version"])
        artifacts = [
            *package.get("wheels", []),
            *([package["sdist"]] if "sdist" in package else []),
        ]
        assert artifacts, f"{name} has no artifact in uv.lock"
        for artifact in artifacts:
            assert re.fullmatch(r"sha256:[0-9a-f]{64}", artifact.get("hash", "")), (name, artifact)
    multi = {n: v for n, v in seen.items() if len(v) > 1}
    markers = lock.get("resolution-markers", [])
    assert not multi or markers, multi  # several versions only for different platforms


def test_the_installer_is_pinned_with_hashes_and_installs_are_frozen():
    requirements = (ROOT / ".ci" / "uv-requirements.txt").read_text()
    entries = re.split(r"\n(?=[A-Za-z])", re.sub(r"(?m)^#.*\n", "", requirements).strip())
    for entry in entries:
        assert re.match(r"[A-Za-z0-9_.-]+==[0-9][^\s\\]*", entry), entry
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", entry), entry
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r .ci/uv-requirements.txt" in makefile
    assert re.search(r"\$\(UV\) sync --frozen", makefile)


def test_pyproject_pins_every_runtime_dependency_and_uv_lock_pins_the_rest():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    locked = {p["name"] for p in lock["package"]}
    spec = re.compile(r"^([A-Za-z0-9_.-]+)\s*(==|>=|~=|<=|>|<)?\s*([^;\s]*)")
    unpinned = set()
    for dep in project["project"]["dependencies"]:
        name, op, _ = spec.match(dep).groups()
        name = name.lower().replace("_", "-")
        assert name in locked, f"{name} is not in uv.lock"
        if op != "==":
            unpinned.add(name)
    assert unpinned == UNPINNED_IN_PYPROJECT, unpinned
    for dep in project["dependency-groups"]["dev"]:
        name = spec.match(dep).group(1).lower().replace("_", "-")
        assert name in locked, f"dev dependency {name} is not in uv.lock"


SECRET_PATTERNS = {
    "AWS access key id": r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",
    "private key": "-----BEGIN [A-Z ]*" + "PRIVATE KEY-----",
    "GitHub token": r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b",
    "Slack token": r"\bxox[abposr]-[A-Za-z0-9-]{10,}",
    "Google API key": r"\bAIza[0-9A-Za-z_\-]{35}\b",
    "Stripe live key": r"\b[sr]k_live_[0-9A-Za-z]{20,}",
    "credentials in a URL": r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:[^/\s@'\"]+@[\w.-]+",
    "assigned secret": r"(?i)\b(?:password|passwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token)"
    r"\s*[:=]\s*['\"][^'\"\s]{8,}['\"]",
}


def test_no_secret_is_in_the_repository():
    found = []
    patterns = {k: re.compile(v) for k, v in SECRET_PATTERNS.items()}
    files = text_files()
    assert len(files) > 50, "the scan must see the project's files"
    for path in files:
        if path.stat().st_size > 20_000_000:
            continue
        text = path.read_text(errors="replace")
        for kind, pattern in patterns.items():
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {kind}")
    assert not found, found


def test_the_dagster_instance_sends_no_telemetry():
    import yaml

    config = yaml.safe_load((ROOT / "dagster_home" / "dagster.yaml").read_text())
    assert config["telemetry"]["enabled"] is False


@pytest.mark.parametrize(
    "sample",
    [
        "AKIA" + "ABCDEFGHIJKLMNOP",
        "-----BEGIN RSA " + "PRIVATE KEY-----",
        "ghp_" + "a" * 36,
        "xoxb-" + "1234567890-abc",
        "AIza" + "B" * 35,
        "postgres://bellwether:" + "hunter22@db.example.com/x",
        'api_key = "' + "0123456789abcdef" + '"',
    ],
)
def test_the_secret_scan_recognises_the_usual_shapes(sample):
    assert any(re.search(p, sample) for p in SECRET_PATTERNS.values()), sample
