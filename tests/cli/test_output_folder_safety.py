"""Fault injection: o2osim never deletes what it did not write, and never loses a result.

Every case runs among decoys (a thesis, a repository copy, the experiment and scenario
files) that must survive byte for byte; scenarios are one-day textbook queues.
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
from o2osim.results import (
    ResultsExistError,
    ResumeError,
    atomic_folder,
    check_experiment_folder,
    check_target,
    write_atomic,
)
from o2osim.runner import (
    check_dask_address,
    check_workers,
    finished_runs,
    run_experiment,
    usable_cores,
)
from o2osim.scenario import ScenarioError, dump_scenario
from o2osim.signals import sigterm_as_interrupt
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


def _decoys(folder: Path, replications: int = 2, horizon: str = "1d", extra: str = "") -> Path:
    """A user's working folder: thesis, repository copy, scenario and experiment files."""
    (folder / "thesis.docx").write_bytes(b"four years of work")
    (folder / "repo" / ".git").mkdir(parents=True)
    (folder / "repo" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (folder / "repo" / "main.py").write_text("print('hi')\n")
    scenario = textbook_scenario(["pick", "pack"], 2.0)
    (folder / "tiny.toml").write_text(dump_scenario(scenario))
    path = folder / "tiny_experiment.toml"
    path.write_text(EXPERIMENT.format(replications=replications, horizon=horizon, extra=extra))
    return path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch folder with decoys, made the current folder."""
    folder = tmp_path / "work"
    folder.mkdir()
    _decoys(folder)
    monkeypatch.chdir(folder)
    return folder


def _run_argv(out: str, *extra: str) -> list[str]:
    return [
        "run",
        "tiny.toml",
        "--out",
        out,
        "--horizon",
        "1d",
        "--set",
        'scenario.warmup="2h"',
        "--quiet",
        "--no-charts",
        *extra,
    ]


def _sweep_argv(out: str, *extra: str) -> list[str]:
    return ["sweep", "tiny_experiment.toml", "--out", out, "--quiet", "--workers", "1", *extra]


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("o2osim: error: "), err
    return err


# ---------------------------------------------------------------- run and sweep --out


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_no_out_deletes_what_o2osim_did_not_write(
    work: Path, capsys: Capture, monkeypatch: Patch, command: str
) -> None:
    home = work.parent / "home"
    home.mkdir()
    (home / "photos.jpg").write_bytes(b"jpeg")
    monkeypatch.setenv("HOME", str(home))
    for folder in ("notes", "real"):
        (work / folder).mkdir()
    (work / "notes" / "thesis.docx").write_bytes(b"draft")
    _run_manifest(work / "real")  # even an o2osim folder is not replaced through a link
    os.symlink(work / "real", work / "link")
    before = _snapshot(work.parent)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"tried to delete or move {args}")

    # Every case is refused up front: whatever a bug might try (on `/`!) cannot happen.
    for module, name in ((shutil, "rmtree"), (os, "rename"), (os, "replace")):
        monkeypatch.setattr(module, name, refuse)
    cases = {
        ".": ("current folder",),
        "..": ("parent of",),  # of the cwd and of HOME here
        f"{work}/.": ("current folder",),
        "repo": (".git",),
        "": ("empty", "current folder"),  # argparse makes --out '' Path(".")
        "notes": ("thesis.docx",),
        str(home): ("home folder",),
        "/": ("root folder",),
        "link": ("symbolic link",),
    }
    argv = _run_argv if command == "run" else _sweep_argv
    for out, reasons in cases.items():
        for extra in ([], ["--force"]):
            assert main(argv(out, *extra)) == 2, out
            err = _one_error_line(capsys)
            assert any(r in err for r in reasons) and "use --force" not in err, err
    assert _snapshot(work.parent) == before and (work / "link").is_symlink()


def test_bad_places_are_refused_before_simulating(
    work: Path, capsys: Capture, monkeypatch: Patch
) -> None:
    (work / "afile").write_text("mine")
    cases = {"missing/out": "does not exist", "afile/out": "is a file", "afile": "not a folder"}
    for out, reason in cases.items():
        assert main(_run_argv(out)) == 2
        assert reason in _one_error_line(capsys)
    assert (work / "afile").read_text() == "mine"
    locked = work / "locked"
    locked.mkdir()
    # Root may write anywhere, so the permission answer is forced here.
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != locked)
    with pytest.raises(ResultsExistError, match="permission denied"):
        check_target(locked / "out", False)


def test_run_force_replaces_only_an_o2osim_run_folder(work: Path, capsys: Capture) -> None:
    assert main(_run_argv("first")) == 0
    assert main(_run_argv("first")) == 2
    assert "use --force" in _one_error_line(capsys)  # accepted here, so suggested
    (work / "first" / "kpis.csv").write_text("stale")
    assert main(_run_argv("first", "--force")) == 0
    assert (work / "first" / "kpis.csv").read_text() != "stale"
    (work / "first" / "my_notes.txt").write_text("mine")
    assert main(_run_argv("first", "--force")) == 2
    assert "my_notes.txt" in _one_error_line(capsys)
    assert (work / "first" / "my_notes.txt").read_text() == "mine"
    assert not [p for p in work.iterdir() if p.name.startswith(".")]


# ---------------------------------------------------------------- races and temp folders


def _run_manifest(folder: Path) -> None:  # what Result.save writes, in miniature
    (folder / "manifest.json").write_text('{"o2osim_version": "test"}')


def test_races_keep_the_other_writers_folder(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with (
        pytest.raises(ResultsExistError, match="another writer finished first"),
        atomic_folder(target) as temp,
    ):
        _run_manifest(temp)
        target.mkdir()  # the other writer renames its folder in first
        (target / "orders.parquet").write_bytes(b"the winner's")
    assert (target / "orders.parquet").read_bytes() == b"the winner's"
    (target / "orders.parquet").unlink()
    _run_manifest(target)
    with (
        pytest.raises(ResultsExistError, match=r"thesis\.docx"),
        atomic_folder(target, force=True) as temp,
    ):  # ownership is checked again at the end
        _run_manifest(temp)
        (target / "thesis.docx").write_bytes(b"added meanwhile")
    assert (target / "thesis.docx").read_bytes() == b"added meanwhile"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_temp_folders_of_killed_runs_are_cleaned_and_nothing_else(tmp_path: Path) -> None:
    dead = _dead_pid()
    tag = host_tag()
    leftovers = {
        f".out.tmp-{dead}-{tag}0000beef": True,  # killed while writing
        f".out.old-{dead}-{tag}0000cafe": True,  # killed while replacing
        f".other.tmp-{os.getppid()}-{tag}0000beef": False,  # its writer is alive
        f".far.tmp-{dead}-{'0000' if tag != '0000' else '1111'}0000beef": False,  # other host
        f".mine.tmp-{dead}-{tag}0000f00d": False,  # holds a user's file
    }
    for name in leftovers:
        (tmp_path / name).mkdir()
        _run_manifest(tmp_path / name)
    (tmp_path / f".mine.tmp-{dead}-{tag}0000f00d" / "thesis.docx").write_text("mine")
    (tmp_path / f".summary.csv.tmp-{dead}-{tag}00000001").write_text("half")
    with atomic_folder(tmp_path / "next") as temp:
        assert temp.name.startswith(f".next.tmp-{os.getpid()}-{tag}")
        _run_manifest(temp)
    seen: list[Path] = []
    with pytest.raises(FileNotFoundError):  # this writer writes nothing: nothing to rename
        write_atomic(tmp_path / "next" / "kpis.csv", seen.append)
    assert seen[0].name.startswith(f".kpis.csv.tmp-{os.getpid()}-{tag}")
    for name, cleaned in leftovers.items():
        assert (tmp_path / name).exists() != cleaned, name
    assert not (tmp_path / f".summary.csv.tmp-{dead}-{tag}00000001").exists()


# ---------------------------------------------------------------- experiment folders


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished two-variant, two-replication sweep, copied by the tests that damage it."""
    folder = tmp_path_factory.mktemp("finished")
    experiment = load_experiment(_decoys(folder))
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
    source = _decoys(tmp_path, extra='baseline = "nope"' if isinstance(fault, str) else "")
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
            load_experiment(_decoys(tmp_path, replications=4, horizon="3d")),
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
    leftover = out / "runs" / "v000" / f".rep-000.tmp-{_dead_pid()}-{host_tag()}12345678"
    leftover.mkdir()  # a run killed while writing
    _run_manifest(leftover)
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


def test_report_on_a_user_folder_touches_nothing(work: Path, capsys: Capture) -> None:
    before = _snapshot(work)
    for folder in (".", "repo", "missing", "thesis.docx"):
        assert main(["report", folder]) == 2
        _one_error_line(capsys)
    assert _snapshot(work) == before and not (work / "charts").exists()


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
    assert main(_sweep_argv("out", "--workers", "0")) == 2
    assert "give at least 1" in _one_error_line(capsys)
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
            load_experiment(_decoys(tmp_path)),
            tmp_path / "out",
            dask="tcp://127.0.0.1:9",
            dask_timeout=0.5,
            report=False,
        )
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc via psutil")
def test_kill_9_of_a_sweep_leaves_no_worker(tmp_path: Path) -> None:
    source = _decoys(tmp_path, replications=6, horizon="30d")
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
