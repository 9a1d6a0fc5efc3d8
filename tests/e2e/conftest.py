"""End-to-end tests in a real browser (Chromium driven by Playwright) against ``dagster dev``.

They take minutes and need ``/usr/bin/chromium``, so ``make test`` reports them skipped
(with the reason) and runs them only with ``BELLWETHER_E2E=1``, which ``make e2e`` sets (after
installing Debian's ``chromium`` when it is missing); ``.ci/run`` runs ``make e2e`` as its own
step.
"""

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SKIPPED = (
    "browser test (Chromium + dagster dev, minutes): runs with BELLWETHER_E2E=1, "
    "as `make e2e` and the e2e step of .ci/run do"
)


def pytest_collection_modifyitems(config, items):
    """Every test of this folder is reported skipped unless ``BELLWETHER_E2E=1``."""
    if os.environ.get("BELLWETHER_E2E") == "1":
        return
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.skip(reason=SKIPPED))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep failed reports on the item, for the screenshot-on-failure fixture."""
    report = yield
    if report.failed:
        item.e2e_failed = True
    return report
