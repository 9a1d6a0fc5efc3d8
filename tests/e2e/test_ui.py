"""A user's first session in the Dagster UI, in a real browser, then the rows in DuckDB.

``dagster dev`` (webserver + daemon, as ``make ui``) runs on 127.0.0.1 against a temporary
instance and warehouse with the bundled data; Chromium (Debian's, headless) is driven by
Playwright. Every request the page makes to anything but 127.0.0.1 is refused.

The click path (Dagster 1.13's UI):

1. Lineage (``/asset-groups``): the groups ``raw``, ``marts``, ``quality``, ``reports``.
2. **Materialize all…** -> **Show all partitions** -> type the range
   ``[2025-12-01...2025-12-05]`` (5 partitions) -> **Launch backfill** -> the toast
   "Created backfill <id>" -> the backfill's page, until its status is **Succeeded**.
3. The **Checks** tab of ``raw/daily_bars`` and ``marts/breadth``: every check evaluated.
4. The charts (**Show Markdown** on ``chart: ...``) of ``marts/relative_performance`` and
   ``marts/breadth``, the preview of ``raw/daily_bars``, the summary of ``quality/check_results``.
5. Automation: the after-close schedule, running.

Screenshots and logs go to ``tmp/artifacts/e2e/``; with ``BELLWETHER_E2E_DOCS=1`` (``make
screenshots``) the README's screenshots in ``docs/screenshots/`` are refreshed too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import warnings
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import pytest
from playwright.sync_api import Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from bellwether.calendar import sessions_between
from tests.e2e.dagster_dev import ROOT, DagsterDev, dagster_dev

CHROMIUM = os.environ.get("BELLWETHER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--metrics-recording-only",
    # Name resolution for everything but the loopback fails: the browser cannot go out.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1280, "height": 800}
ACTION_TIMEOUT_MS = 60_000
STARTUP_TIMEOUT_MS = 240_000
BACKFILL_TIMEOUT_S = 900

RANGE = os.environ.get("BELLWETHER_E2E_RANGE", "2025-12-01...2025-12-05")
FIRST, LAST = RANGE.split("...")
SESSIONS = [d.isoformat() for d in sessions_between(FIRST, LAST)]
ARTIFACTS = ROOT / "tmp" / "artifacts" / "e2e"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
UPDATE_DOCS = os.environ.get("BELLWETHER_E2E_DOCS") == "1"

#: Checks whose failure withholds data (severity error): they must pass on the sample.
BLOCKING_RAW_CHECKS = [
    "gx_schema",
    "gx_unique_key",
    "gx_price_sanity",
    "rejected_rows",
    "completeness_index_etf",
]

TIMINGS: dict[str, float] = {}


def _asset_graph():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the single-run backfill policy is a beta parameter
        from bellwether.definitions import defs

    return defs.resolve_asset_graph()


def _expected_groups() -> set[str]:
    graph = _asset_graph()
    return {graph.get(key).group_name for key in graph.get_all_asset_keys()}


def _check_names(asset: str) -> list[str]:
    keys = _asset_graph().asset_check_keys
    return sorted(k.name for k in keys if k.asset_key.to_user_string() == asset)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    yield ARTIFACTS
    (ARTIFACTS / "timings.json").write_text(json.dumps(TIMINGS, indent=2) + "\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory, artifacts) -> DagsterDev:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make e2e` installs Debian's chromium")
    started = time.monotonic()
    with dagster_dev(tmp_path_factory.mktemp("e2e"), artifacts / "dagster-dev.log") as dev:
        TIMINGS["dagster_dev_up_s"] = round(time.monotonic() - started, 1)
        yield dev


@pytest.fixture(scope="module")
def page(server, artifacts, tmp_path_factory) -> Page:
    blocked: list[str] = []
    console = (artifacts / "browser-console.log").open("w")

    def only_loopback(route):
        url = urlparse(route.request.url)
        if url.scheme in ("data", "blob") or url.hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.route("**/*", only_loopback)
        page = context.pages[0] if context.pages else context.new_page()
        page.on("console", lambda m: console.write(f"{m.type}: {m.text}\n"))
        # Dagster's first-visit invitation can pop up over anything: skip it whenever it shows.
        page.add_locator_handler(
            page.get_by_role("dialog").filter(has_text="Join the Dagster community"),
            lambda dialog: dialog.get_by_role("button", name="Skip").click(),
        )
        expect.set_options(timeout=ACTION_TIMEOUT_MS)
        try:
            yield page
        finally:
            (artifacts / "blocked-requests.txt").write_text("\n".join(blocked) + "\n")
            console.close()
            context.close()


@pytest.fixture(scope="module")
def shot(page, artifacts):
    """Save a screenshot under the artifacts (and, for docs=True, the README's folder)."""

    def save(name: str, *, docs: bool = False) -> Path:
        path = artifacts / f"{name}.png"
        page.screenshot(path=str(path))
        if docs and UPDATE_DOCS:
            from PIL import Image

            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            with Image.open(path) as img:
                small = img.convert("RGB").quantize(colors=96, method=Image.Quantize.MEDIANCUT)
                small.save(DOCS_SCREENSHOTS / f"{name}.png", optimize=True)
        return path

    return save


def _open(page: Page, server: DagsterDev, path: str) -> None:
    page.goto(server.url + path, wait_until="domcontentloaded")


def _skip_invitation(page: Page) -> None:
    """Let the first-visit invitation appear (a few seconds) and be skipped by the handler."""
    dialog = page.get_by_role("dialog").filter(has_text="Join the Dagster community")
    try:
        dialog.wait_for(state="visible", timeout=5_000)
    except PlaywrightTimeoutError:
        return
    # Not clicked here: the page's locator handler clicks Skip before this assertion.
    expect(dialog).to_be_hidden()


def _open_lineage(page: Page, server: DagsterDev) -> None:
    _open(page, server, "/asset-groups")
    # The button appears once the code location has loaded (imports take a while).
    page.get_by_role("button", name="Materialize all").wait_for(timeout=STARTUP_TIMEOUT_MS)
    _skip_invitation(page)


def _backfill_status(page: Page) -> str:
    label = page.get_by_text("Status", exact=True).first
    return label.locator("xpath=..").inner_text().replace("Status", "", 1).strip()


@pytest.fixture(scope="module")
def backfill(server, page, shot) -> str:
    """Launch the backfill of the range from the UI by clicking; wait until it succeeded."""
    started = time.monotonic()
    _open_lineage(page, server)
    page.get_by_role("button", name="Materialize all").click()
    dialog = page.get_by_role("dialog").filter(has_text="Launch runs to materialize")
    dialog.wait_for()
    # The dialog offers the last 90 days only; older sessions need "Show all partitions".
    show_all = dialog.get_by_text("Show all partitions")
    with suppress(PlaywrightTimeoutError):
        show_all.wait_for(timeout=15_000)
        show_all.click()
    field = dialog.get_by_placeholder(re.compile(r"^ex: "))
    field.fill(f"[{FIRST}...{LAST}]")
    field.press("Enter")
    expect(dialog.get_by_text(f"{len(SESSIONS)} partitions", exact=True)).to_be_visible()
    shot("02_launch_backfill", docs=True)
    dialog.get_by_role("button", name="Launch backfill").click()
    toast = page.get_by_text(re.compile(r"^Created backfill \w+$"))
    toast.wait_for()
    backfill_id = toast.inner_text().split()[-1]
    TIMINGS["backfill_launched_s"] = round(time.monotonic() - started, 1)

    launched = time.monotonic()
    _open(page, server, f"/runs/b/{backfill_id}")
    last_reload = time.monotonic()
    status = ""
    while time.monotonic() - launched < BACKFILL_TIMEOUT_S:
        try:
            status = _backfill_status(page)
        except PlaywrightTimeoutError:
            status = ""
        if status and status not in ("In progress", "Requested", "Queued"):
            break
        if time.monotonic() - last_reload > 30:  # the page polls, but do not trust one socket
            page.reload(wait_until="domcontentloaded")
            last_reload = time.monotonic()
        time.sleep(3)
    TIMINGS["backfill_run_s"] = round(time.monotonic() - launched, 1)
    shot("03_backfill", docs=True)
    assert status == "Succeeded", (
        f"backfill {backfill_id} ended as {status!r} after {TIMINGS['backfill_run_s']}s; "
        f"see {ARTIFACTS}"
    )
    return backfill_id


@pytest.fixture(autouse=True)
def _screenshot_on_failure(request, artifacts):
    yield
    if getattr(request.node, "e2e_failed", False) and "page" in request.fixturenames:
        page = request.getfixturevalue("page")
        page.screenshot(path=str(artifacts / f"FAILED_{request.node.name}.png"))


# --------------------------------------------------------------------------- the tests


def _show_whole_graph(page: Page) -> None:
    """Hide the group list, lay the graph out top-down and expand every group."""
    page.get_by_placeholder("Jump to").locator("xpath=following::button[1]").click()
    # Both are toggles in the graph's settings menu, and the orientation is remembered.
    for item in ("Change graph to vertical orientation", "Expand all groups"):
        page.get_by_role("button", name="settings", exact=True).click()
        menu = page.get_by_role("menu")
        menu.wait_for()
        entry = menu.get_by_role("menuitem", name=item)
        if entry.count():
            entry.click()
        page.keyboard.press("Escape")
        expect(menu).to_be_hidden()
    for name in ("daily_bars", "daily_returns", "breadth", "check_results"):
        expect(page.get_by_text(name, exact=True).first).to_be_visible()
    page.mouse.move(0, 0)  # no hover highlight in the screenshot
    time.sleep(1)  # let the layout animation settle


def test_the_asset_graph_shows_every_group(server, page, shot):
    started = time.monotonic()
    _open_lineage(page, server)
    groups = _expected_groups()
    assert {"raw", "marts", "quality"} <= groups
    for group in sorted(groups):
        expect(page.get_by_role("button", name=f"asset_group {group}")).to_be_visible()
    shot("01_asset_groups")
    _show_whole_graph(page)
    shot("01_asset_graph", docs=True)
    TIMINGS["graph_s"] = round(time.monotonic() - started, 1)


def test_a_backfill_launched_from_the_ui_runs_once_and_succeeds(backfill, server):
    import dagster as dg

    with dg.DagsterInstance.from_config(str(server.dagster_home)) as instance:
        runs = instance.get_runs()
        statuses = [r.status for r in runs]
        backfills = {r.tags.get("dagster/backfill") for r in runs}
    assert statuses == [dg.DagsterRunStatus.SUCCESS], statuses  # single-run backfill policy
    assert backfills == {backfill}


def test_the_asset_checks_results_are_visible(backfill, server, page, shot):
    for asset, must_pass in (
        ("raw/daily_bars", BLOCKING_RAW_CHECKS),
        ("marts/breadth", _check_names("marts/breadth")),
    ):
        _open(page, server, f"/assets/{asset}?view=checks")
        names = _check_names(asset)
        expect(page.get_by_text(f"Checks ({len(names)})")).to_be_visible()
        statuses = {}
        for name in names:
            status = page.locator(f'[title="{name}"] + span').first
            expect(status).to_have_text(re.compile(r"^(Succeeded|Failed)$"))
            statuses[name] = status.inner_text()
        assert all(statuses[n] == "Succeeded" for n in must_pass), statuses
        if asset == "raw/daily_bars":
            page.get_by_text("gx_schema", exact=True).first.click()
            expect(page.get_by_text("Passed", exact=True).first).to_be_visible()
            shot("04_asset_checks", docs=True)
        else:
            shot("04_asset_checks_breadth")


@pytest.mark.parametrize(
    ("asset", "entry", "inside"),
    [
        ("marts/relative_performance", "chart: relative strength ^RUT/^GSPC", "img"),
        ("marts/breadth", "chart: breadth sp500_sample", "img"),
        ("raw/daily_bars", f"preview ({LAST})", "table"),
        ("marts/streaks", f"preview ({LAST})", "table"),
        ("quality/check_results", "checks", "table"),
    ],
)
def test_charts_and_previews_show_in_the_asset_metadata(
    backfill, server, page, shot, asset, entry, inside
):
    _open(page, server, f"/assets/{asset}")
    row = page.locator("tr").filter(has=page.get_by_text(entry, exact=True))
    if asset == "marts/relative_performance":
        expect(page.get_by_text("Row count")).to_be_visible()
        expect(page.get_by_text("price_ratio", exact=True)).to_be_visible()  # column schema
        shot("05_asset_overview", docs=True)
    row.get_by_text("Show Markdown").first.click()
    dialog = page.get_by_role("dialog").filter(has_text=entry)
    content = dialog.locator(inside).first
    expect(content).to_be_visible()
    if inside == "img":
        width = content.evaluate("img => img.complete ? img.naturalWidth : 0")
        assert width > 300, f"{asset}: the chart image did not render"
    else:
        expect(content.locator("tr").nth(1)).to_be_visible()
    name = asset.replace("/", "_")
    page.wait_for_timeout(700)  # the dialog fades in
    shot(f"05_{name}", docs=asset in ("marts/relative_performance", "marts/breadth"))
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def test_the_after_close_schedule_is_running(server, page, shot):
    _open(page, server, "/automation")
    page.get_by_text("bellwether_after_close", exact=True).first.click()
    expect(page.get_by_text("At 06:00 PM", exact=False).first).to_be_visible()
    expect(page.get_by_text("Running", exact=True).first).to_be_visible()
    expect(page.get_by_text("America/New_York").first).to_be_visible()
    shot("06_schedule", docs=True)


def test_the_rows_are_in_duckdb(backfill, server):
    con = duckdb.connect(str(server.warehouse), read_only=True)
    try:

        def sessions(table: str) -> list[str]:
            rows = con.sql(f"SELECT DISTINCT session_date FROM {table} ORDER BY 1").fetchall()
            return [r[0].isoformat() for r in rows]

        def one(sql: str):
            return con.sql(sql).fetchall()[0][0]

        for table in (
            "raw.daily_bars",
            "marts.daily_returns",
            "marts.streaks",
            "marts.technicals",
            "marts.relative_performance",
        ):
            assert sessions(table) == SESSIONS, table
        for table in ("marts.breadth", "marts.sector_performance"):
            assert sessions(table) and set(sessions(table)) <= set(SESSIONS), table
        assert set(SESSIONS) <= set(sessions("dq.check_results"))
        dups = one(
            "SELECT count(*) FROM (SELECT ticker, session_date FROM raw.daily_bars "
            "GROUP BY ALL HAVING count(*) > 1)"
        )
        assert dups == 0
        assert one("SELECT count(*) FROM raw.ingest_runs") == 1  # one landing for the range
        assert one("SELECT count(*) FROM raw.daily_bars WHERE ticker = '^GSPC'") == len(SESSIONS)
    finally:
        con.close()
    charts = server.data_dir / "charts"
    assert (charts / "relative_performance" / f"RUT_GSPC_{LAST}.png").stat().st_size > 1000
    assert (charts / "breadth" / f"sp500_sample_{LAST}.png").stat().st_size > 1000
