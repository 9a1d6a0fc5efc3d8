"""The Dagster code location: ``Definitions`` for assets, checks, jobs and resources.

Loaded by ``workspace.yaml`` (``dagster dev``, ``dagster definitions validate``) and by
``dagster asset materialize -m orchestration.definitions``.
"""

from __future__ import annotations

import dagster as dg

# before the asset modules: their decorators emit the warnings it filters
import orchestration.quiet  # noqa: F401

# isort: split
import assets.marts
import assets.publish
import assets.quality
import assets.raw
import assets.reports
from orchestration.full_history import (
    CHECK_KEYS,
    full_history_checks,
    full_history_job,
    full_history_schedule,
)
from orchestration.maintenance import compact_job, compact_schedule
from orchestration.resources import BarSourceResource, WarehouseResource
from orchestration.schedules import after_close_schedule

all_assets = dg.load_assets_from_modules(
    [assets.raw, assets.marts, assets.quality, assets.publish, assets.reports]
)

#: The main job: land a session range and build every mart on it, in one run per range.
daily_job = dg.define_asset_job(
    "bellwether_daily",
    selection=dg.AssetSelection.all() - dg.AssetSelection.checks(*CHECK_KEYS),
    description="Land bars for a session (or a range, as one run) and build every mart on them.",
)

#: Backfills of history: land and build the marts (and their checks) without writing a
#: brief for every session of the range; `bellwether brief` or the daily job write briefs.
warehouse_job = dg.define_asset_job(
    "bellwether_warehouse",
    selection=dg.AssetSelection.groups("raw", "marts", "quality", "publish")
    - dg.AssetSelection.checks(*CHECK_KEYS),
    description="Land bars for a session range (one run), build every mart and check on them, "
    "publish the result, no briefs.",
)

defs = dg.Definitions(
    assets=all_assets,
    asset_checks=full_history_checks,
    jobs=[daily_job, warehouse_job, full_history_job, compact_job],
    schedules=[after_close_schedule, full_history_schedule, compact_schedule],
    resources={"warehouse": WarehouseResource(), "source": BarSourceResource()},
    # Every step writes to the single DuckDB file, so steps run one at a time anyway (pool
    # "duckdb_writer"); running them in the run's own process saves a Python start-up and
    # the imports per step.
    executor=dg.in_process_executor,
)
