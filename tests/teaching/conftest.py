"""Fixtures of the teaching tests: a headless Chromium page and a screenshot folder.

Chromium is Debian's ``chromium`` with ``chromium-driver`` (installed by ``.ci/run``);
without them the browser tests are skipped, saying so. The helpers are in
``browser_page.py``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_page import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS, Page


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip(
            "Debian's chromium and chromium-driver are not installed (.ci/run installs them)"
        )
    pytest.importorskip("selenium")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="o2osim-chromium-")
    options = webdriver.ChromeOptions()
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield Page(driver)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $O2OSIM_SCREENSHOTS if set (to look at them), else a temp dir."""
    folder = os.environ.get("O2OSIM_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path
