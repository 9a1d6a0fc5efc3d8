"""The Dagster code location: ``Definitions`` for assets, checks, jobs and resources.

Loaded by ``workspace.yaml`` (``dagster dev``, ``dagster definitions validate``) and by
``dagster asset materialize -m bellwether.definitions``.
"""

from __future__ import annotations

import dagster as dg

import assets.marts
import assets.raw
from bellwether.resources import BarSourceResource, WarehouseResource

all_assets = dg.load_assets_from_modules([assets.raw, assets.marts])

#: The main job: land a session range and build every mart on it, in one run per range.
daily_job = dg.define_asset_job(
    "bellwether_daily",
    selection=dg.AssetSelection.all(),
    description="Land bars for a session (or a range, as one run) and build every mart on them.",
)

defs = dg.Definitions(
    assets=all_assets,
    jobs=[daily_job],
    resources={"warehouse": WarehouseResource(), "source": BarSourceResource()},
    # Every step writes to the single DuckDB file, so steps run one at a time anyway (pool
    # "duckdb_writer"); running them in the run's own process saves a Python start-up and
    # the imports per step.
    executor=dg.in_process_executor,
)
