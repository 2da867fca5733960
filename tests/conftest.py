"""Pytest fixtures shared by the test modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import BASELINE


@pytest.fixture(scope="session")
def baseline_path() -> Path:
    return BASELINE
