"""Writing the brief of a session from a warehouse (used by the asset and the CLI)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bellwether.brief.compose import compose_brief
from bellwether.brief.model import Brief
from bellwether.brief.render import write_brief
from bellwether.universe import UniverseConfig
from bellwether.warehouse import Warehouse


def build_brief(
    wh: Warehouse, as_of: date, universe: UniverseConfig, folder: Path
) -> tuple[Brief, dict[str, Path]]:
    """Compose the brief for the last session on or before ``as_of`` and write it to ``folder``."""
    with wh.connect(read_only=True) as con:
        brief = compose_brief(con, as_of, universe)
    return brief, write_brief(brief, folder)
