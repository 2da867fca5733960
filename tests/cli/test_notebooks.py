"""Every notebook runs top to bottom without errors."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture
def recursion_limit() -> Iterator[None]:
    """Running a notebook imports IPython and so jedi here, and jedi raises the recursion
    limit to 3000 for the whole process: later tests (a 500-level TOML file) must see the
    limit they would see alone."""
    limit = sys.getrecursionlimit()
    yield
    sys.setrecursionlimit(limit)


@pytest.mark.usefixtures("recursion_limit")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path):
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
