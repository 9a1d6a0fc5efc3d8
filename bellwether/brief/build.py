"""Writing the brief of a session from a warehouse (used by the asset and the CLI)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from bellwether.brief.compose import compose_brief
from bellwether.brief.model import Brief
from bellwether.brief.render import write_brief
from bellwether.publish import published_state
from bellwether.universe import UniverseConfig
from bellwether.warehouse import Warehouse


def build_brief(
    wh: Warehouse, as_of: date, universe: UniverseConfig, folder: Path
) -> tuple[Brief, dict[str, Path]]:
    """Compose the brief for the last session on or before ``as_of`` and write it to ``folder``.

    ``wh`` is normally the published warehouse; the JSON then names the published state the
    brief was built from (``published_state``: ``null`` for any other warehouse file)."""
    with wh.connect(read_only=True) as con:
        brief = compose_brief(con, as_of, universe)
        state = published_state(con)
    paths = write_brief(brief, folder)
    doc = json.loads(paths["json"].read_text())
    doc["published_state"] = None if state is None else state.to_json() | {"path": str(wh.path)}
    paths["json"].write_text(json.dumps(doc, indent=2))
    return brief, paths
