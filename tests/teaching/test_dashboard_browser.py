"""The class dashboard in a real browser: load, change a decision, run, read the KPIs.

Headless Chromium drives the page served by ``o2osim dashboard``; the KPI table must
change when a decision changes (more counters at the peak: a shorter wait, the
baseline column unchanged), and a bad value gets a message on the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_page import Page, free_port, start_server, stop_server

pytest.importorskip("panel")


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    process = start_server(["dashboard", "--port", str(port)], port, log)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop_server(process)


def _rows(page: Page) -> dict[str, tuple[str, str]]:
    text = page.text("#kpi-table") or ""
    rows = {}
    for line in text.splitlines()[1:]:
        measure, run, baseline = line.split("\t")[:3]  # innerText: cells split by tabs
        rows[measure.strip()] = (run.strip(), baseline.strip())
    return rows


def _set_decision(page: Page, name: str, value: str) -> None:
    from selenium.webdriver.common.keys import Keys

    def attempt() -> bool:
        hosts = page.deep(f".decision-{name}")
        if not hosts:
            return False
        box = page.inputs_in(hosts[0])[0]
        box.clear()
        box.send_keys(value, Keys.ENTER)
        return True

    page.wait_for(attempt)


def _run(page: Page, done: str) -> None:
    page.click("Run")
    page.wait_for(lambda: done in page.all_text() and page.button("Run").is_enabled())


def test_a_lesson_runs_in_the_browser_and_its_kpis_follow_the_decisions(
    page: Page, dashboard: str, shots: Path
):
    page.driver.get(dashboard)
    page.wait_for(lambda: page.deep(".decision-peak_counters"))
    page.driver.save_screenshot(str(shots / "dashboard_start.png"))
    _run(page, "Done:")
    first = _rows(page)
    wait = "Wait, mean (airport pickup counters)"
    assert first[wait][0] == first[wait][1]  # the defaults are the baseline: same seed, same run

    _set_decision(page, "peak_counters", "6")
    page.click("Run")
    page.wait_for(lambda: _rows(page).get(wait, ("", ""))[0] != first[wait][0])
    second = _rows(page)
    assert float(second[wait][0]) < float(first[wait][0])  # two more counters: shorter waits
    assert second[wait][1] == first[wait][1]  # the baseline column stays
    page.driver.save_screenshot(str(shots / "dashboard_run.png"))
    # Lead time and queues, each run on one shared axis.
    page.wait_for(lambda: len(page.deep(".vs-baseline")) == 2)
    page.wait_for(lambda: page.scroll_to(".vs-baseline"))
    page.driver.save_screenshot(str(shots / "dashboard_vs_baseline.png"))

    _set_decision(page, "peak_counters", "60")
    page.click("Run")
    page.wait_for(lambda: "Cannot run" in page.all_text())
    assert "allowed: 1 to 10 counters" in page.all_text()
    page.driver.save_screenshot(str(shots / "dashboard_bad_value.png"))
