"""The weekly full-history audit: ``recompute_full_history``, a Dagster check of each
per-ticker and pair mart, in a job of its own on a schedule of its own.

A run's blocking ``recompute`` check reads only the last sessions when the run changed
nothing before them (:func:`checks.run.run_recompute_check`), so a daily run costs the same
whatever the length of history. This audit covers the rest: a seeded sample of tickers
(drawn by the audit run's id, so every week draws others) recomputed from each one's first
stored bar with no seed, compared with every stored row of theirs; the result is kept in
``dq.check_results`` like every check. Definition: docs/QUALITY.md.
"""

import dagster as dg

from bellwether.registry import MARTS
from bellwether.universe import default_universe
from checks.dagster_results import check_results
from checks.docs import check_description
from checks.run import FULL_HISTORY, run_recompute_check
from orchestration.resources import WRITER_POOL, WarehouseResource

JOB_NAME = "bellwether_full_history_recompute"
SCHEDULE_NAME = "bellwether_weekly_full_history_recompute"
#: Saturdays 06:00 New York: no session closes, no daily run competes for the file.
SCHEDULE_CRON = "0 6 * * 6"
SCHEDULE_TIMEZONE = "America/New_York"

#: The marts whose daily ``recompute`` is windowed: per-ticker and pair marts.
AUDITED = tuple(
    spec for spec in MARTS.values() if "recompute" in spec.checks and spec.scope != "session"
)


def _audit_check(spec) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["marts", spec.name]),
        name=FULL_HISTORY,
        description=check_description(FULL_HISTORY, mart=True),
        pool=WRITER_POOL,
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        checked = run_recompute_check(
            warehouse.get(), spec.asset, default_universe(), written=[], full_history=True,
            run_id=context.run.run_id,
        )  # fmt: skip
        results = check_results(checked.results)
        if not results:
            return dg.AssetCheckResult(
                passed=True, metadata={"sessions_checked": 0, "note": "the mart has no rows yet"}
            )
        return results[0]

    return _check


full_history_checks = [_audit_check(spec) for spec in AUDITED]
#: Their keys, to keep them out of the jobs that materialize the assets.
CHECK_KEYS = [key for check in full_history_checks for key in check.check_keys]

full_history_job = dg.define_asset_job(
    JOB_NAME,
    selection=dg.AssetSelection.checks(*CHECK_KEYS),
    description="Recompute a sample of tickers of every per-ticker and pair mart from their "
    "first bar and compare every stored row (the audit the daily recompute check leaves out).",
)

full_history_schedule = dg.ScheduleDefinition(
    name=SCHEDULE_NAME,
    job=full_history_job,
    cron_schedule=SCHEDULE_CRON,
    execution_timezone=SCHEDULE_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Saturdays 06:00 New York: the full-history recompute audit of the marts "
    "(docs/QUALITY.md, recompute_full_history).",
)
