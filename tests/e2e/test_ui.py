"""A user's first session in the Dagster UI, in a real browser, then the rows in DuckDB.

``dagster dev`` (webserver + daemon, as ``make ui``) runs on 127.0.0.1 against a temporary
instance and warehouse with the bundled data; Chromium (Debian's, headless) is driven by
Playwright. Every request the page makes to anything but 127.0.0.1 is refused.

The click path (Dagster 1.13's UI):

1. Lineage (``/asset-groups``): the groups ``raw``, ``marts``, ``quality``, ``reports``.
2. The job ``bellwether_daily`` -> **Materialize all…** -> **Show all partitions** -> type
   the range ``[2025-12-01...2025-12-05]`` (5 partitions) -> **Launch backfill** -> the
   toast "Created backfill <id>" -> the backfill's page, until its one run of
   ``bellwether_daily`` succeeded.
3. The **Checks** tab of ``raw/daily_bars`` and ``marts/breadth``: every check evaluated,
   each described with its severity as docs/QUALITY.md says.
4. The charts (**Show Markdown** on ``chart: ...``) of ``marts/relative_performance`` and
   ``marts/breadth``, the preview of ``raw/daily_bars``, the summary of ``quality/check_results``;
   a column's description; the **Partitions** tab counts the sessions from the history
   start only, and a partition's row count is its rows in DuckDB.
5. Automation: the after-close schedule, running; its tick for 2026-11-16 (after the bundled
   sample) launched through the webserver fails and leaves the partition unmaterialized.

Screenshots and logs go to ``tmp/artifacts/e2e/``; with ``BELLWETHER_E2E_DOCS=1`` (``make
screenshots``) the README's screenshots in ``docs/screenshots/`` are refreshed too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import urllib.request
import warnings
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

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
JOB = "bellwether_daily"
#: A schedule tick after the bundled sample's last session (2026-06-29).
TICK_BEYOND_DATA = datetime(2026, 11, 16, 18, 0, tzinfo=ZoneInfo("America/New_York"))

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
        from orchestration.definitions import defs

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


def _instance(server: DagsterDev):
    import dagster as dg

    # the project storage's base_dir is read from DAGSTER_HOME (dagster_home/dagster.yaml)
    os.environ["DAGSTER_HOME"] = str(server.dagster_home)
    return dg.DagsterInstance.from_config(str(server.dagster_home))


def _wait_for_runs(server: DagsterDev, run_ids: list[str], timeout_s: float) -> dict[str, str]:
    """Wait until every run ended; their statuses by id."""
    import dagster as dg

    deadline = time.monotonic() + timeout_s
    while True:
        with _instance(server) as instance:
            runs = [instance.get_run_by_id(r) for r in run_ids]
        if all(r is not None and r.is_finished for r in runs) or time.monotonic() > deadline:
            return {r.run_id: r.status.value for r in runs if isinstance(r, dg.DagsterRun)}
        time.sleep(3)


def _all_partitions() -> list[str]:
    """The partition keys of the sessions up to now (the configured history start on)."""
    from orchestration.partitions import session_partitions

    return session_partitions().get_partition_keys()


@pytest.fixture(scope="module")
def backfill(server, page, shot) -> str:
    """Launch the backfill of the range from the job's page by clicking; wait until its run
    (a run of the job) succeeded."""
    started = time.monotonic()
    _open(page, server, f"/locations/bellwether/jobs/{JOB}")
    page.get_by_role("button", name="Materialize all").wait_for(timeout=STARTUP_TIMEOUT_MS)
    _skip_invitation(page)
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
        # a job's backfill is "Completed" once its run is submitted, an asset backfill
        # "Succeeded" once it ran
        if status and status not in ("In progress", "Requested", "Queued"):
            break
        if time.monotonic() - last_reload > 30:  # the page polls, but do not trust one socket
            page.reload(wait_until="domcontentloaded")
            last_reload = time.monotonic()
        time.sleep(3)
    assert status in ("Succeeded", "Completed"), (
        f"backfill {backfill_id} ended as {status!r} after {round(time.monotonic() - launched)}s; "
        f"see {ARTIFACTS}"
    )
    with _instance(server) as instance:
        run_ids = [
            r.run_id for r in instance.get_runs() if r.tags.get("dagster/backfill") == backfill_id
        ]
    statuses = _wait_for_runs(server, run_ids, BACKFILL_TIMEOUT_S)
    TIMINGS["backfill_run_s"] = round(time.monotonic() - launched, 1)
    page.reload(wait_until="domcontentloaded")
    shot("03_backfill", docs=True)
    assert run_ids and set(statuses.values()) == {"SUCCESS"}, (backfill_id, statuses)
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

    with _instance(server) as instance:
        runs = [r for r in instance.get_runs() if r.tags.get("dagster/backfill") == backfill]
        statuses = [r.status for r in runs]
    assert statuses == [dg.DagsterRunStatus.SUCCESS], statuses  # single-run backfill policy
    assert [r.job_name for r in runs] == [JOB]  # the project's job, not __ASSET_JOB


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
        # ... with each column's definition from docs/METRICS.md
        expect(page.get_by_text(re.compile(r"the relative-strength line")).first).to_be_visible()
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


def test_a_checks_description_names_its_severity(backfill, server, page, shot):
    _open(page, server, "/assets/raw/daily_bars?view=checks")
    page.get_by_text("completeness_index_etf", exact=True).first.click()
    expect(
        page.get_by_text(re.compile(r"Severity error\. Error blocks: a failure withholds")).first
    ).to_be_visible()
    shot("04_check_description")
    page.get_by_text("etf_tracking", exact=True).first.click()
    expect(
        page.get_by_text(re.compile(r"Severity warn\. Warn does not block")).first
    ).to_be_visible()


def _partition_counts(page: Page, materialized: int, missing: int, failed: int) -> None:
    for label, n in (("Materialized", materialized), ("Missing", missing), ("Failed", failed)):
        expect(page.get_by_text(f"{label} ({n})", exact=True).first).to_be_visible()


def test_the_partitions_tab_counts_only_the_configured_window(backfill, server, page, shot):
    total = len(_all_partitions())
    assert _all_partitions()[0] == "2024-01-02"  # the default history start
    _open(page, server, "/assets/raw/daily_bars?view=partitions")
    _partition_counts(page, len(SESSIONS), total - len(SESSIONS), 0)
    shot("07_partitions")


@pytest.mark.parametrize(
    ("asset", "table"),
    [("raw/daily_bars", "raw.daily_bars"), ("marts/breadth", "marts.breadth")],
)
def test_a_partitions_row_count_is_its_rows_in_duckdb(backfill, server, page, shot, asset, table):
    session = SESSIONS[len(SESSIONS) // 2]  # not the last: its count must not be the run's
    con = duckdb.connect(str(server.warehouse), read_only=True)
    try:
        rows = con.execute(
            f"SELECT count(*) FROM {table} WHERE session_date = ?", [session]
        ).fetchall()[0][0]
        total = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    finally:
        con.close()
    _open(page, server, f"/assets/{asset}?view=partitions&partition={session}")
    row = page.locator("tr").filter(has=page.get_by_text("dagster/row_count", exact=True)).first
    expect(row).to_contain_text(re.compile(rf"(^|\D)({rows}|{rows:,})(\D|$)"))
    shot(f"07_partition_{asset.replace('/', '_')}")
    # the table's total is on the run's last partition (the latest materialization)
    _open(page, server, f"/assets/{asset}?view=partitions&partition={SESSIONS[-1]}")
    table_row = page.locator("tr").filter(has=page.get_by_text("table: total rows", exact=True))
    expect(table_row.first).to_contain_text(re.compile(rf"(^|\D)({total}|{total:,})(\D|$)"))


def _graphql(server: DagsterDev, query: str, variables: dict) -> dict:
    request = urllib.request.Request(
        f"{server.url}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


LAUNCH_RUN = """
mutation LaunchRun($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}
"""


def test_a_schedule_tick_beyond_the_data_fails_and_leaves_the_partition_unmaterialized(
    backfill, server, page, shot
):
    """The schedule's tick for a session after the bundled sample, evaluated as the daemon
    does and launched through the webserver: the run fails naming the session and why, and
    the partition is not counted as materialized."""
    import dagster as dg

    from orchestration.schedules import SCHEDULE_NAME, after_close_schedule

    # the catch-up window is one session here: the tick asks for exactly that session
    # (tests/test_schedules.py covers the catch-up of missed closes)
    previous = os.environ.get("BELLWETHER_CATCHUP_SESSIONS")
    os.environ["BELLWETHER_CATCHUP_SESSIONS"] = "1"
    try:
        with _instance(server) as instance:
            request = after_close_schedule(
                dg.build_schedule_context(
                    instance=instance, scheduled_execution_time=TICK_BEYOND_DATA
                )
            )
    finally:
        if previous is None:
            os.environ.pop("BELLWETHER_CATCHUP_SESSIONS", None)
        else:
            os.environ["BELLWETHER_CATCHUP_SESSIONS"] = previous
    assert isinstance(request, dg.RunRequest) and request.partition_key == "2026-11-16"
    tags = {**request.tags, "dagster/partition": request.partition_key,
            "dagster/schedule_name": SCHEDULE_NAME}  # fmt: skip
    answer = _graphql(server, LAUNCH_RUN, {"params": {
        "selector": {"repositoryLocationName": "bellwether", "repositoryName": "__repository__",
                     "jobName": JOB},
        "mode": "default",
        "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in tags.items()]},
    }})  # fmt: skip
    launched = answer["data"]["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", answer
    run_id = launched["run"]["runId"]
    assert _wait_for_runs(server, [run_id], 600) == {run_id: "FAILURE"}
    with _instance(server) as instance:
        failures = [
            e.dagster_event.step_failure_data.error.message
            for e in instance.all_logs(run_id)
            if e.dagster_event and e.dagster_event.is_step_failure
        ]
        materialized = instance.get_materialized_partitions(dg.AssetKey(["raw", "daily_bars"]))
    assert any(
        "1 of the 1 requested sessions landed none of their bars" in m
        and "2026-11-16: after the end of the bundled source's data (2026-06-29)" in m
        for m in failures
    ), failures
    assert materialized == set(SESSIONS)

    _open(page, server, f"/runs/{run_id}")
    expect(page.get_by_text(re.compile(r"^(Failure|Failed)$")).first).to_be_visible()
    # the run's failure says which session and why, in its event log
    expect(page.get_by_text(re.compile(r"landed none\s+of their bars")).first).to_be_visible()
    shot("08_tick_beyond_data_run")
    _open(page, server, "/assets/raw/daily_bars?view=partitions")
    total = len(_all_partitions())
    _partition_counts(page, len(SESSIONS), total - len(SESSIONS) - 1, 1)
    shot("08_tick_beyond_data_partitions")
