"""End-to-end tests in a real browser (Chromium driven by Playwright) against ``dagster dev``.

They take minutes and need ``/usr/bin/chromium``, so ``make test`` does not collect them:
they run only with ``BELLWETHER_E2E=1``, which ``make e2e`` sets (after installing Debian's
``chromium`` when it is missing).
"""

import os

import pytest

collect_ignore_glob = [] if os.environ.get("BELLWETHER_E2E") == "1" else ["test_*.py"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep failed reports on the item, for the screenshot-on-failure fixture."""
    report = yield
    if report.failed:
        item.e2e_failed = True
    return report
