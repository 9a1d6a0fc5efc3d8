"""Warnings a user of Bellwether can do nothing about, filtered in ONE place.

Imported (for its effect) by the Dagster definitions before the asset modules load, and
by the ``bellwether`` CLI, so ``make ui``, ``make demo`` and ``dagster asset materialize``
print what matters instead of dozens of identical lines:

* Dagster's ``BetaWarning`` / ``PreviewWarning`` for APIs the project uses on purpose
  (``backfill_policy=BackfillPolicy.single_run()`` on every asset: a decade is one run).
  They say the API may change in a minor release; that is for whoever upgrades Dagster
  (``uv.lock`` pins it), not for whoever runs the pipeline.
* pandas' ``Pandas4Warning`` raised inside ``exchange_calendars`` (a library's own use of
  a pandas API due to change), when warnings are shown (``-W default``, pytest).

Everything else still shows: a warning about the user's data or set-up is never filtered.
"""

from __future__ import annotations

import warnings

from dagster import BetaWarning, PreviewWarning
from pandas.errors import Pandas4Warning

#: (category, message regex) pairs filtered; the messages are Dagster's own.
FILTERED: tuple[tuple[type[Warning], str], ...] = (
    (BetaWarning, r"Parameter `backfill_policy`"),
    (BetaWarning, r"Class `BackfillPolicy`"),
    (PreviewWarning, r"Parameter `pool`"),
)


def quiet_warnings() -> None:
    """Install the filters (idempotent)."""
    for category, message in FILTERED:
        warnings.filterwarnings("ignore", message=message, category=category)
    warnings.filterwarnings(
        "ignore", message=r"Series\.values returning an ndarray", category=Pandas4Warning
    )


quiet_warnings()
