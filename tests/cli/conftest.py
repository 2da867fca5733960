"""Fixtures of the command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from decoys import decoys


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch folder with decoys, made the current folder."""
    folder = tmp_path / "work"
    folder.mkdir()
    decoys(folder)
    monkeypatch.chdir(folder)
    return folder
