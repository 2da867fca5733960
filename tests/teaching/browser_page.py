"""Browser helpers of the teaching tests: a server started from this checkout, a page.

``start_server`` runs ``o2osim ARGV`` from this checkout's files (``tests/..`` first on
``sys.path``) and waits until it answers HTTP on a free localhost port; ``Page`` finds
elements inside the shadow roots where Panel (Bokeh) renders every widget.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from helpers import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: without the networking flags Chromium's connections are refused on a closed network
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)
#: finds elements through Bokeh's shadow roots, where Panel renders every widget
WALK = (
    "function walk(root, out) { for (const el of root.querySelectorAll('*')) "
    "{ out.push(el); if (el.shadowRoot) walk(el.shadowRoot, out); } return out; }\n"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(argv: list[str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """Start ``o2osim ARGV`` from this checkout and wait until it answers HTTP."""
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from o2osim.cli import main; "
    code += f"raise SystemExit(main({argv!r}))"
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text(errors='replace')[-2000:]}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Page:
    """A Chromium page with lookups that see inside shadow roots."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver

    def deep(self, selector: str) -> list[Any]:
        script = WALK + "return walk(document, []).filter(e => e.matches(arguments[0]));"
        return list(self.driver.execute_script(script, selector))

    def inputs_in(self, host: Any) -> list[Any]:
        script = WALK + (
            "const h = arguments[0]; "
            "return walk(h.shadowRoot || h, []).filter(e => e.tagName == 'INPUT');"
        )
        return list(self.driver.execute_script(script, host))

    def text(self, selector: str) -> str | None:
        """The first match's text, read in one script (a re-render cannot intervene)."""
        script = WALK + (
            "const hit = walk(document, []).find(e => e.matches(arguments[0])); "
            "return hit ? hit.innerText : null;"
        )
        found = self.driver.execute_script(script, selector)
        return None if found is None else str(found)

    def scroll_to(self, selector: str) -> bool:
        """Scroll the first match into view, found and scrolled in one script (an element
        held between two calls may have been re-rendered: a stale reference)."""
        script = WALK + (
            "const hit = walk(document, []).find(e => e.matches(arguments[0])); "
            "if (hit) { hit.scrollIntoView(); } return !!hit;"
        )
        return bool(self.driver.execute_script(script, selector))

    def wait_for(self, test: Any, timeout: float = 60.0) -> Any:
        """Poll ``test`` until truthy; an element Bokeh re-rendered meanwhile is retried."""
        from selenium.common.exceptions import StaleElementReferenceException

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = test()
            except StaleElementReferenceException:
                value = None
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"timed out after {timeout:g} s")

    def click(self, text: str) -> None:
        """Click the button labelled ``text``, finding it again if it was re-rendered."""
        from selenium.common.exceptions import StaleElementReferenceException

        def attempt() -> bool:
            try:
                self.button(text).click()
            except StaleElementReferenceException:
                return False
            return True

        self.wait_for(attempt)

    def button(self, text: str) -> Any:
        return self.wait_for(
            lambda: next((b for b in self.deep("button") if b.text.strip() == text), None)
        )

    def all_text(self) -> str:
        script = WALK + "return walk(document, []).map(e => e.innerText || '').join('\\n');"
        return str(self.driver.execute_script(script))
