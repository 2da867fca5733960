"""Fault injection at the command line: full and read-only disks, SIGTERM, bad flags.

Every case must end in a clean run or one line on stderr with exit status 2 (130
or 143 for Ctrl-C and SIGTERM), never a traceback, never a half-written folder,
and the decoy files a user keeps beside the results must survive. Folder-safety
cases (--force, --out ., races, damaged experiment folders, kill -9 of a sweep)
are in test_output_folder_safety.py and test_experiment_folder_safety.py; absurd
scenario values in unit/test_input_limits.py.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from rich.console import Console

from o2osim.cli import EXIT_BAD_INPUT, main
from o2osim.run_summary import AIRPORT_NOTE, print_run_summary

from helpers import ROOT

SHORT = ["--horizon", "1d", "--warmup", "0d", "--quiet", "--no-charts"]
DECOY = "thesis.docx"


def _one_line_error(capsys: pytest.CaptureFixture[str], *fragments: str) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("o2osim: error: "), err
    for fragment in fragments:
        assert fragment in err, err
    return err


def _leftovers(folder: Path) -> list[str]:
    """Hidden temporary folders o2osim left behind (there must be none)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _mount_tmpfs(target: Path, options: str) -> bool:
    target.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB filesystem with a decoy file on it (skipped where mounting is not allowed)."""
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "size=1m"):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    (disk / DECOY).write_text("four years of work")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)


@pytest.fixture
def read_only_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "ro"
    if not _mount_tmpfs(disk, "ro,size=1m"):
        pytest.skip("cannot mount a read-only tmpfs here (needs root)")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_full_disk_ends_in_one_line_and_leaves_nothing_half_written(
    small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = small_disk / "baseline"
    status = main(["run", "wenzhou_baseline", *SHORT, "--out", str(out)])
    assert status == EXIT_BAD_INPUT
    _one_line_error(capsys, "no space left", "nothing was saved")
    assert not out.exists()
    assert _leftovers(small_disk) == []
    assert (small_disk / DECOY).read_text() == "four years of work"


def test_a_read_only_folder_is_refused_before_simulating(
    read_only_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.perf_counter()
    status = main(["run", "wenzhou_baseline", "--quiet", "--out", str(read_only_disk / "r")])
    assert status == EXIT_BAD_INPUT
    _one_line_error(capsys, str(read_only_disk))
    # The full 28-day baseline takes ~10 s: a refusal within 2 s came before the simulation.
    assert time.perf_counter() - started < 2


def test_a_parent_that_is_a_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    status = main(["run", "wenzhou_baseline", *SHORT, "--out", str(tmp_path / "notes.txt" / "r")])
    assert status == EXIT_BAD_INPUT
    _one_line_error(capsys, "notes.txt")
    assert (tmp_path / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize(
    ("flags", "fragments"),
    [
        (["--workers", "0"], ("--workers 0", "at least 1")),
        (["--workers", "-3"], ("--workers -3", "at least 1")),
        (["--workers", "100000"], ("--workers 100000",)),
        (["--dask", "garbage"], ("--dask", "garbage", "tcp://")),
    ],
)
def test_sweep_flags_are_checked_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], fragments: tuple[str, ...]
) -> None:
    experiment = ROOT / "experiments" / "pickers_riders.toml"
    out = tmp_path / "sweep"
    assert main(["sweep", str(experiment), "--out", str(out), "--quiet", *flags]) == 2
    _one_line_error(capsys, *fragments)
    assert not out.exists()


@pytest.mark.parametrize(
    ("flags", "fragments"),
    [
        (["--horizon", "-1d"], ("--horizon",)),
        (["--horizon", "1e99d"], ("--horizon",)),
        (["--horizon", "2d"], ("scenario.warmup", "--warmup")),
        (["--warmup", "tomorrow"], ("--warmup", "tomorrow")),
        (["--horizon", '1d" scenario.seed=3 x="'], ("--horizon",)),
    ],
)
def test_run_flags_name_themselves_in_the_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], fragments: tuple[str, ...]
) -> None:
    out = tmp_path / "r"
    assert main(["run", "wenzhou_baseline", "--quiet", "--out", str(out), *flags]) == 2
    _one_line_error(capsys, *fragments)
    assert not out.exists()


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    for command in ("run", "check", "scenarios", "sweep", "report", "validate"):
        assert f"\n    {command}" in text


def test_check_prints_the_size_estimate_as_a_toml_comment(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import tomllib

    assert main(["check", "wenzhou_baseline"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# o2osim size estimate: ")
    assert "orders" in text.splitlines()[0]
    tomllib.loads(text)  # still valid TOML when piped into a file


def _python_cli(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "o2osim.cli", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigterm_during_a_run_is_handled_like_ctrl_c(tmp_path: Path) -> None:
    (tmp_path / DECOY).write_text("keep me")
    process = _python_cli("run", "wenzhou_baseline", "--quiet", "--out", "r", cwd=tmp_path)
    time.sleep(4)  # imports take ~1.5 s; the 28-day baseline then simulates for ~10 s
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 143, err
    assert "Traceback" not in err
    assert err.strip().splitlines() == ["o2osim: terminated; no half-written results were left"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [DECOY]


def test_the_airport_summary_does_not_open_with_zero_deliveries() -> None:
    kpis = pd.DataFrame(
        [
            ("overall", "all", "orders_placed", 100.0, "orders"),
            ("overall", "all", "delivered", 0.0, "orders"),
            ("overall", "all", "collected", 90.0, "orders"),
            ("overall", "all", "lead_time_mean", float("nan"), "min"),
            ("airport", "all", "collected", 104.0, "orders"),
        ],
        columns=["group", "name", "kpi", "value", "unit"],
    )

    finished = SimpleNamespace(
        kpis=kpis, manifest={"orders": 100, "events": 900, "wall_time_s": 0.1}
    )
    console = Console(record=True, width=200)
    print_run_summary(console, finished, Path("results/airport"))
    text = console.export_text()
    assert "delivered" not in text
    assert "collected" in text and "n/a" in text
    assert " ".join(AIRPORT_NOTE.split()[:6]) in " ".join(text.split())
