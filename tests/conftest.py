"""Pytest fixtures and settings shared by the test modules."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from helpers import BASELINE

# The same examples on every machine and every run: CI starts with no example database, and
# a property test must not turn red (or spend minutes shrinking) because a fresh random draw
# found a case the last run did not try. Explore with `--hypothesis-profile=explore`.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile("repeatable")


@pytest.fixture(scope="session")
def baseline_path() -> Path:
    return BASELINE


@pytest.fixture(autouse=True)
def _no_open_figures() -> Iterator[None]:
    """Each test starts without pyplot figures, so a test that checks o2osim closes its
    figures is not failed by another test that ran before it in the same worker."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
    yield
