"""Fault injection: o2osim never loses a result of a sweep (experiment folders, pools,
workers, Dask, kill -9).

A finished sweep among decoys is copied and damaged: truncated runs are named and rerun
on resume, --force replaces only what o2osim wrote, an interrupted pool keeps its
finished runs and leaves no worker behind. Run folders and --out are in
test_output_folder_safety.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from o2osim.cli import main
from o2osim.experiment import load_experiment
from o2osim.folders import host_tag
from o2osim.results import ResultsExistError, ResumeError, check_experiment_folder
from o2osim.runner import (
    check_dask_address,
    check_workers,
    finished_runs,
    run_experiment,
    usable_cores,
)
from o2osim.scenario import ScenarioError
from o2osim.signals import sigterm_as_interrupt

from decoys import Capture, Patch, dead_pid, decoys, one_error_line, run_manifest, sweep_argv

# ---------------------------------------------------------------- experiment folders


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished two-variant, two-replication sweep, copied by the tests that damage it."""
    folder = tmp_path_factory.mktemp("finished")
    experiment = load_experiment(decoys(folder))
    return run_experiment(experiment, folder / "out", report=False)


def _copy(finished: Path, tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(finished.parent, tmp_path / "exp", symlinks=True)
    return tmp_path / "exp" / "tiny_experiment.toml", tmp_path / "exp" / "out"


def test_sweep_force_replaces_only_an_o2osim_experiment_folder(
    finished: Path, tmp_path: Path
) -> None:
    source, out = _copy(finished, tmp_path)
    experiment = load_experiment(source)
    with pytest.raises(ResultsExistError, match="--resume to finish it or --force"):
        run_experiment(experiment, out, report=False)
    marker = out / "runs" / "v000" / "rep-000" / "manifest.json"
    old = marker.stat().st_mtime_ns
    run_experiment(experiment, out, force=True, report=False)
    assert marker.stat().st_mtime_ns != old
    (out / "runs" / "v000" / "notes.txt").write_text("mine")
    with pytest.raises(ResultsExistError, match=r"notes\.txt"):
        run_experiment(experiment, out, force=True, report=False)
    assert (out / "runs" / "v000" / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize(
    "fault",
    ["bad baseline", RuntimeError("disk full"), KeyboardInterrupt()],
    ids=["baseline", "error", "ctrl-c"],
)
def test_a_sweep_that_finished_no_run_leaves_no_folder(
    tmp_path: Path, monkeypatch: Patch, fault: BaseException | str
) -> None:
    source = decoys(tmp_path, extra='baseline = "nope"' if isinstance(fault, str) else "")
    names = sorted(os.listdir(tmp_path))

    def fail(*args: object) -> str:
        raise fault if isinstance(fault, BaseException) else AssertionError("ran a run")

    monkeypatch.setattr("o2osim.runner.run_one", fail)
    with pytest.raises(ScenarioError if isinstance(fault, str) else type(fault)):
        run_experiment(load_experiment(source), tmp_path / "out", report=False)
    assert sorted(os.listdir(tmp_path)) == names  # no folder, no hidden temp


def test_an_interrupted_pool_keeps_finished_runs_and_leaves_no_worker(tmp_path: Path) -> None:
    done: list[str] = []

    def interrupt(folder: str) -> None:
        done.append(folder)
        raise KeyboardInterrupt

    # Only the pool's workers count: other tests in this process may own children too.
    before = {c.pid for c in psutil.Process().children(recursive=True)}
    # Workers fork with the CLI's SIGTERM handler installed; they must still stop at once.
    with sigterm_as_interrupt(), pytest.raises(KeyboardInterrupt):
        run_experiment(
            load_experiment(decoys(tmp_path, replications=4, horizon="3d")),
            tmp_path / "out",
            workers=2,
            on_done=interrupt,
            report=False,
        )
    assert (tmp_path / "out" / done[0] / "manifest.json").exists()
    children = psutil.Process().children(recursive=True)
    assert not [c for c in children if c.pid not in before and _running(c)]
    assert not list((tmp_path / "out").glob("runs/*/.*"))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:40])  # as a full disk or a kill mid-copy leaves it


def test_a_truncated_run_is_named_and_rerun_on_resume(finished: Path, tmp_path: Path) -> None:
    source, out = _copy(finished, tmp_path)
    summary = (out / "summary.csv").read_bytes()
    experiment = load_experiment(source)
    _truncate(out / "runs" / "v001" / "rep-001" / "kpis.parquet")
    assert len(finished_runs(experiment, out)) == 3
    problems = check_experiment_folder(out)
    assert len(problems) == 1 and "rep-001" in problems[0] and "kpis.parquet" in problems[0]
    kept = out / "runs" / "v000" / "rep-000" / "kpis.parquet"
    mtime = kept.stat().st_mtime_ns
    leftover = out / "runs" / "v000" / f".rep-000.tmp-{dead_pid()}-{host_tag()}12345678"
    leftover.mkdir()  # a run killed while writing
    run_manifest(leftover)
    seen: list[list[str]] = []
    run_experiment(experiment, out, resume=True, on_damaged=seen.append, report=False)
    assert seen == [["runs/v001/rep-001"]]
    assert kept.stat().st_mtime_ns == mtime  # intact runs are not redone
    assert (out / "summary.csv").read_bytes() == summary
    assert check_experiment_folder(out) == [] and not leftover.exists()


def test_check_experiment_folder_names_each_problem(finished: Path, tmp_path: Path) -> None:
    source, out = _copy(finished, tmp_path)
    assert check_experiment_folder(out) == []
    (out / "summary.csv").unlink()
    _truncate(out / "runs.parquet")
    shutil.rmtree(out / "runs" / "v001" / "rep-000")
    problems = check_experiment_folder(out)
    assert len(problems) == 3, problems
    assert [p for p in problems if "summary.csv is missing" in p]
    assert [p for p in problems if "runs.parquet is unreadable" in p]
    assert [p for p in problems if "1 runs missing" in p]
    assert "not an o2osim experiment folder" in check_experiment_folder(source.parent)[0]
    run = out / "runs" / "v000" / "rep-001"
    (run / "manifest.json").write_text("{")
    (run / "analysis.xlsx").write_bytes(b"mine")  # damaged, but not only o2osim's: kept
    with pytest.raises(ResumeError, match=r"analysis\.xlsx"):
        run_experiment(load_experiment(source), out, resume=True, report=False)
    assert (run / "analysis.xlsx").read_bytes() == b"mine"


# ---------------------------------------------------------------- workers and dask


def test_workers_are_bounded(work: Path, capsys: Capture) -> None:
    assert check_workers(1) == 1
    for bad, message in (
        (0, "--workers 0: give at least 1"),
        (-3, "give at least 1"),
        (4 * usable_cores() + 1, f"at most {4 * usable_cores()}"),
    ):
        with pytest.raises(ResumeError, match=message):
            check_workers(bad)
    assert main(sweep_argv("out", "--workers", "0")) == 2
    assert "give at least 1" in one_error_line(capsys)
    assert not (work / "out").exists()


def test_dask_addresses(tmp_path: Path) -> None:
    for good in (
        "local",
        "tcp://10.0.0.5:8786",
        "tls://sched.example.org:8786",
        "ucx://[::1]:13337",
        "inproc://host:1",
        "localhost:8786",
    ):
        check_dask_address(good)
    for bad in (
        "garbage",
        "",
        "tcp://host",
        "http://host:8786",
        "host:0",
        "host:99999",
        "tcp://:8786",
    ):
        with pytest.raises(ResumeError, match="not a scheduler address"):
            check_dask_address(bad)
    pytest.importorskip("distributed")
    with pytest.raises(ResumeError, match="no Dask scheduler answered"):
        run_experiment(
            load_experiment(decoys(tmp_path)),
            tmp_path / "out",
            dask="tcp://127.0.0.1:9",
            dask_timeout=0.5,
            report=False,
        )
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc via psutil")
def test_kill_9_of_a_sweep_leaves_no_worker(tmp_path: Path) -> None:
    source = decoys(tmp_path, replications=6, horizon="30d")
    command = [
        sys.executable,
        "-m",
        "o2osim.cli",
        "sweep",
        str(source),
        "--out",
        str(tmp_path / "out"),
        "--workers",
        "2",
        "--quiet",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[psutil.Process] = []
    deadline = time.time() + 30
    while len(workers) < 2 and time.time() < deadline and process.poll() is None:
        workers = psutil.Process(process.pid).children(recursive=True)
        time.sleep(0.05)
    assert len(workers) >= 2, "the sweep should have started its two workers"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.time() + 5
    while (alive := [w for w in workers if _running(w)]) and time.time() < deadline:
        time.sleep(0.02)
    for worker in alive:  # do not leak them into the rest of the session
        worker.kill()
    assert not alive, f"workers outlived the sweep: {alive}"


def _running(process: psutil.Process) -> bool:
    """Alive and not a zombie (an exited orphan waits to be reaped by init)."""
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
