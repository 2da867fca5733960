"""Fault injection: o2osim never deletes what it did not write (run and sweep --out, races,
temp folders of killed runs, report).

Every case runs among decoys (a thesis, a repository copy, the experiment and scenario
files) that must survive byte for byte; scenarios are one-day textbook queues. Experiment
folders, workers and Dask are in test_experiment_folder_safety.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from o2osim.cli import main
from o2osim.folders import host_tag
from o2osim.results import ResultsExistError, atomic_folder, check_target, write_atomic

from decoys import Capture, Patch, dead_pid, one_error_line, run_manifest, snapshot, sweep_argv


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
    run_manifest(work / "real")  # even an o2osim folder is not replaced through a link
    os.symlink(work / "real", work / "link")
    before = snapshot(work.parent)

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
    argv = _run_argv if command == "run" else sweep_argv
    for out, reasons in cases.items():
        for extra in ([], ["--force"]):
            assert main(argv(out, *extra)) == 2, out
            err = one_error_line(capsys)
            assert any(r in err for r in reasons) and "use --force" not in err, err
    assert snapshot(work.parent) == before and (work / "link").is_symlink()


def test_bad_places_are_refused_before_simulating(
    work: Path, capsys: Capture, monkeypatch: Patch
) -> None:
    (work / "afile").write_text("mine")
    cases = {
        "missing/deeper/out": "does not exist",
        "afile/out": "is a file",
        "afile": "not a folder",
    }
    for out, reason in cases.items():
        assert main(_run_argv(out)) == 2
        assert reason in one_error_line(capsys)
    assert (work / "afile").read_text() == "mine"
    assert not (work / "missing").exists()
    locked = work / "locked"
    locked.mkdir()
    # Root may write anywhere, so the permission answer is forced here.
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != locked)
    with pytest.raises(ResultsExistError, match="permission denied"):
        check_target(locked / "out", False)


def test_run_force_replaces_only_an_o2osim_run_folder(work: Path, capsys: Capture) -> None:
    assert main(_run_argv("first")) == 0
    assert main(_run_argv("first")) == 2
    assert "use --force" in one_error_line(capsys)  # accepted here, so suggested
    (work / "first" / "kpis.csv").write_text("stale")
    assert main(_run_argv("first", "--force")) == 0
    assert (work / "first" / "kpis.csv").read_text() != "stale"
    (work / "first" / "my_notes.txt").write_text("mine")
    assert main(_run_argv("first", "--force")) == 2
    assert "my_notes.txt" in one_error_line(capsys)
    assert (work / "first" / "my_notes.txt").read_text() == "mine"
    assert not [p for p in work.iterdir() if p.name.startswith(".")]


def test_report_on_a_user_folder_touches_nothing(work: Path, capsys: Capture) -> None:
    before = snapshot(work)
    for folder in (".", "repo", "missing", "thesis.docx"):
        assert main(["report", folder]) == 2
        one_error_line(capsys)
    assert snapshot(work) == before and not (work / "charts").exists()


# ---------------------------------------------------------------- races and temp folders


def test_races_keep_the_other_writers_folder(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with (
        pytest.raises(ResultsExistError, match="another writer finished first"),
        atomic_folder(target) as temp,
    ):
        run_manifest(temp)
        target.mkdir()  # the other writer renames its folder in first
        (target / "orders.parquet").write_bytes(b"the winner's")
    assert (target / "orders.parquet").read_bytes() == b"the winner's"
    (target / "orders.parquet").unlink()
    run_manifest(target)
    with (
        pytest.raises(ResultsExistError, match=r"thesis\.docx"),
        atomic_folder(target, force=True) as temp,
    ):  # ownership is checked again at the end
        run_manifest(temp)
        (target / "thesis.docx").write_bytes(b"added meanwhile")
    assert (target / "thesis.docx").read_bytes() == b"added meanwhile"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_temp_folders_of_killed_runs_are_cleaned_and_nothing_else(tmp_path: Path) -> None:
    dead = dead_pid()
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
        run_manifest(tmp_path / name)
    (tmp_path / f".mine.tmp-{dead}-{tag}0000f00d" / "thesis.docx").write_text("mine")
    (tmp_path / f".summary.csv.tmp-{dead}-{tag}00000001").write_text("half")
    with atomic_folder(tmp_path / "next") as temp:
        assert temp.name.startswith(f".next.tmp-{os.getpid()}-{tag}")
        run_manifest(temp)
    seen: list[Path] = []
    with pytest.raises(FileNotFoundError):  # this writer writes nothing: nothing to rename
        write_atomic(tmp_path / "next" / "kpis.csv", seen.append)
    assert seen[0].name.startswith(f".kpis.csv.tmp-{os.getpid()}-{tag}")
    for name, cleaned in leftovers.items():
        assert (tmp_path / name).exists() != cleaned, name
    assert not (tmp_path / f".summary.csv.tmp-{dead}-{tag}00000001").exists()
