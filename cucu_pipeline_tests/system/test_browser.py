"""The campaign manager's path in a real browser: Debian's Chromium (headless, driven by Playwright) against
`dagster-webserver` and `dagster-daemon` on 127.0.0.1 — open the lineage, see every asset, materialize one campaign
date with the Materialize button, watch the run succeed, and open the weekly read's chart on its asset page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import pytest
from playwright import sync_api as playwright

from cucu_pipeline_tests.conftest import REPO, SAMPLE_RAW
from cucu_pipeline_tests.defs.test_definitions import ASSET_KEYS
from cucu_pipeline_tests.services import (
    SYSTEM_PACKAGES_REQUIRED,
    dagster_daemon,
    executable,
    finished_runs,
    free_port,
    wait_for_port,
)

pytestmark = pytest.mark.slow  # whole-graph runs through the CLI, the daemon, a browser or a service

CHROMIUM = shutil.which("chromium")
DATE = "2026-06-15"  # inside the sample data's simulated campaigns, so the weekly read has 28 dates to draw


@contextmanager
def dagster_ui(folder: Path):
    """The webserver and the daemon, as `dagster dev` would run them; yields the UI's address and the daemon.

    The daemon starts once the webserver listens, so the two never create the instance's fresh storage at once.
    """
    port = free_port()
    environ = {**os.environ, "DAGSTER_HOME": str(folder), "CUCU_DATA_DIR": str(folder / "data")}
    workspace = ["-w", str(folder / "workspace.yaml")]
    with (folder / "webserver.log").open("wb") as log:
        webserver = subprocess.Popen(
            [executable("dagster-webserver"), "-h", "127.0.0.1", "-p", str(port), *workspace],
            cwd=folder,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, timeout=120)
            with dagster_daemon(folder, environ, workspace) as daemon:
                yield f"http://127.0.0.1:{port}", daemon
        finally:
            webserver.terminate()
            webserver.wait(timeout=30)


def show_whole_graph(page) -> None:
    """Every asset on screen; the UI remembers these choices, so each is made only when not made yet."""
    if page.get_by_role("button", name="Hide navigation").count():
        page.get_by_role("button", name="Hide navigation").click()
    # The graph is drawn once its groups are: a right-click before that opens no menu (a loaded machine takes seconds).
    playwright.expect(page.get_by_text("experiments", exact=True).first).to_be_visible(timeout=60_000)
    for item in ("Change graph to vertical orientation", "Expand all groups"):
        page.mouse.click(1200, 1100, button="right")  # the graph's background menu
        playwright.expect(page.get_by_role("menuitem").first).to_be_visible()
        choice = page.get_by_role("menuitem", name=item)
        choice.click() if choice.count() else page.keyboard.press("Escape")


def node_label(page, asset: str):
    """An asset's node in the graph: its name, or Dagster's middle truncation of a long one (`campa…_performance`)."""
    return page.get_by_text(re.compile(rf"^(?:{asset}|{asset[:3]}[\w…]*{asset[-6:]})$")).first


def open_performance_chart(page, url: str, path: Path) -> None:
    """The asset page of `campaign_performance`: its `chart` metadata opens as markdown and the PNG inside renders."""
    page.goto(f"{url}/assets/campaign_performance", wait_until="networkidle")
    page.locator("tr", has=page.get_by_text("chart", exact=True)).get_by_text("Show Markdown").click()
    image = page.get_by_role("dialog").locator("img")
    playwright.expect(image).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    width, height = image.evaluate("img => [img.complete && img.naturalWidth, img.naturalHeight]")
    assert (width, height) == (810, 630)  # 9 × 7 inches at 90 dpi: the PNG decoded, not a broken-image icon
    image.screenshot(path=str(path))


@pytest.mark.skipif(
    CHROMIUM is None and not SYSTEM_PACKAGES_REQUIRED, reason="Debian's chromium is not installed (.ci/run installs it)"
)
def test_a_campaign_manager_materializes_a_date_from_the_ui(tmp_path):
    folder = tmp_path / "project"
    shutil.copytree(SAMPLE_RAW, folder / "data" / "raw")
    for name in ("dagster.yaml", "workspace.yaml"):
        shutil.copy(REPO / name, folder / name)
    (folder / "workspace.yaml").write_text(
        (REPO / "workspace.yaml").read_text().replace("working_directory: .", f"working_directory: {REPO}")
    )
    screenshots = Path(os.environ.get("CUCU_SCREENSHOT_DIR", tmp_path))
    with dagster_ui(folder) as (url, daemon), playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1800, "height": 1500})
        page.goto(f"{url}/asset-groups", wait_until="networkidle")
        show_whole_graph(page)
        for asset in sorted(ASSET_KEYS):
            playwright.expect(node_label(page, asset)).to_be_visible()
        for group in ("sources", "profiles", "campaign", "experiments"):
            playwright.expect(page.get_by_text(group, exact=True).first).to_be_visible()

        page.get_by_role("button", name="Materialize all…").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("Show all partitions").click()
        partitions = dialog.get_by_placeholder("ex: 2022-01-01", exact=False)
        partitions.fill(DATE)
        partitions.press("Enter")
        dialog.get_by_role("button", name="Launch 1 run").click()
        # The launch answers after the run is submitted: on 2 busy CI workers that took more than Playwright's 5 s.
        playwright.expect(page.get_by_text("Launched run")).to_be_visible(timeout=30_000)

        (run,) = finished_runs(folder, 1, timeout=240, daemon=daemon)
        assert run.status == dg.DagsterRunStatus.SUCCESS and run.tags["dagster/partition"] == DATE

        page.reload(wait_until="networkidle")
        show_whole_graph(page)
        page.wait_for_timeout(1000)
        screenshots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshots / "asset-graph.png"))
        open_performance_chart(page, url, screenshots / "campaign-performance.png")
        browser.close()
    assert (screenshots / "asset-graph.png").stat().st_size > 20_000
    assert (screenshots / "campaign-performance.png").stat().st_size > 20_000
    assert (folder / "data" / "airtable.sqlite").exists()
