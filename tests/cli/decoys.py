"""A user's working folder for the command-line tests, and a tiny experiment to run in it.

The decoys (a thesis, a repository copy) must survive every command byte for byte;
the experiment varies the pickers of a one-day textbook pick-and-pack queue.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from o2osim.scenario import dump_scenario
from o2osim.validation import textbook_scenario

Capture = pytest.CaptureFixture[str]
Patch = pytest.MonkeyPatch

EXPERIMENT = """[experiment]
name = "tiny"
scenario = "tiny.toml"
replications = {replications}
seed = 11
horizon = "{horizon}"
warmup = "2h"
{extra}
[factors]
"warehouse.pickers" = [3, 4]
"""


def write_experiment(
    folder: Path, replications: int = 3, horizon: str = "1d", extra: str = ""
) -> Path:
    """``tiny.toml`` and ``tiny_experiment.toml``, which runs it with 3 and 4 pickers."""
    scenario = textbook_scenario(["pick", "pack"], 2.0)
    (folder / "tiny.toml").write_text(dump_scenario(scenario))
    path = folder / "tiny_experiment.toml"
    path.write_text(EXPERIMENT.format(replications=replications, horizon=horizon, extra=extra))
    return path


def decoys(folder: Path, replications: int = 2, horizon: str = "1d", extra: str = "") -> Path:
    """A user's working folder: thesis, repository copy, scenario and experiment files."""
    (folder / "thesis.docx").write_bytes(b"four years of work")
    (folder / "repo" / ".git").mkdir(parents=True)
    (folder / "repo" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (folder / "repo" / "main.py").write_text("print('hi')\n")
    return write_experiment(folder, replications, horizon, extra)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def run_manifest(folder: Path) -> None:  # what Result.save writes, in miniature
    (folder / "manifest.json").write_text('{"o2osim_version": "test"}')


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def sweep_argv(out: str, *extra: str) -> list[str]:
    return ["sweep", "tiny_experiment.toml", "--out", out, "--quiet", "--workers", "1", *extra]


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("o2osim: error: "), err
    return err
