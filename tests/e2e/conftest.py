"""End-to-end tests in a real browser (Chromium driven by Playwright) against ``dagster dev``.

They take minutes and need ``/usr/bin/chromium``, so ``make test`` deselects them (marker
``e2e``) and ``make e2e`` runs them (after installing Debian's ``chromium`` when it is
missing); ``.ci/run`` runs ``make e2e`` as its own step.
"""

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Every test of this folder carries the ``e2e`` marker: ``make test`` deselects them
    (``-m "not ... e2e"``) and ``make e2e`` selects them, as ``make soak`` does the soak."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep failed reports on the item, for the screenshot-on-failure fixture."""
    report = yield
    if report.failed:
        item.e2e_failed = True
    return report
