"""The per-ticker metrics of the same bars from one session panel.

:func:`ticker_metrics` returns what :func:`~bellwether.metrics.returns.daily_returns`,
:func:`~bellwether.metrics.streaks.streaks` and
:func:`~bellwether.metrics.technicals.technicals` return for the same ``bars`` (same
definitions, same values), placing the bars on the session calendar once instead of three
times.
"""

from __future__ import annotations

import polars as pl

from bellwether.metrics import returns, streaks, technicals
from bellwether.metrics.panel import ENGINE, keyed, session_panel


def ticker_metrics(
    bars: pl.DataFrame,
    *,
    streaks_seed: pl.DataFrame | None = None,
    technicals_seed: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """``{"daily_returns", "streaks", "technicals"}`` of ``bars`` (the union of the three
    functions' input columns); the seeds are those of the single functions."""
    columns = dict.fromkeys(
        [*returns.INPUT_COLUMNS, *streaks.INPUT_COLUMNS, *technicals.INPUT_COLUMNS]
    )
    panel = keyed(session_panel(bars.select(list(columns)))).lazy()
    plans = {
        "daily_returns": returns.returns_plan(panel),
        "streaks": streaks.streaks_plan(panel, streaks_seed),
        "technicals": technicals.technicals_plan(panel, technicals_seed),
    }
    return dict(zip(plans, pl.collect_all(plans.values(), engine=ENGINE), strict=True))
