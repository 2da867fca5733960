"""Results folders that appear complete or not at all, and never over a user's files.

Everything is written into a hidden temporary sibling ``.NAME.tmp-<pid>-<random>``
and renamed into place only when every file is written. Without ``force`` the
rename itself refuses a non-empty target, so of two concurrent writers exactly
one wins and the other says so. With ``force`` the existing folder is replaced
only if o2osim wrote it (see :mod:`o2osim.folders`), checked again just before
it is moved aside. Temp copies left by killed runs are removed by the next run
writing in the same place.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .folders import (
    Kind,
    clean_stale,
    folder_kind,
    foreign_entry,
    parquet_problem,
    protected_reason,
    read_json,
    run_problem,
    temp_name,
)


class ResultsExistError(FileExistsError):
    """The results folder cannot be written: it exists, is protected, or its place is wrong."""


class ResumeError(ValueError):
    """A sweep cannot start or resume (a different experiment, bad workers or executor)."""


_NEW_OUT = "choose a new --out"
_LOST_RACE = (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR)


def check_target(
    folder: str | Path,
    force: bool,
    kind: Kind = "run",
    *,
    resume: bool = False,
    make_parents: bool = False,
) -> None:
    """Refuse up front every ``--out`` that o2osim may not write, before any simulation.

    Refused: an empty name; the root, home or current folder or a parent of them;
    a folder holding ``.git``; a symbolic link; a missing parent (unless
    ``make_parents``), a parent that is a file or not writable; a file; an
    existing non-empty folder unless ``force`` and o2osim wrote it (as ``kind``), or
    ``resume`` and it is an experiment folder.
    """
    if str(folder) == "":
        raise ResultsExistError("--out is empty; give the name of a new folder")
    folder = Path(folder)
    reason = protected_reason(folder)
    if reason is not None:
        raise ResultsExistError(f"{folder}: {reason}; o2osim never writes over it — {_NEW_OUT}")
    _check_parent(folder, make_parents)
    if not folder.exists():
        return
    if not folder.is_dir():
        raise ResultsExistError(
            f"{folder}: exists and is not a folder; o2osim writes a "
            f"results folder and never replaces a file — {_NEW_OUT}"
        )
    try:
        empty = not any(folder.iterdir())
    except OSError as exc:
        raise ResultsExistError(f"{folder}: cannot be read ({exc.strerror}) — {_NEW_OUT}") from None
    if empty:
        return
    if kind == "experiment":
        _check_existing_experiment(folder, force, resume)
        return
    problem = _ownership(folder, kind)
    if problem is not None:
        raise ResultsExistError(
            f"{folder}: exists and {problem}; --force replaces only a "
            f"folder o2osim wrote — {_NEW_OUT}"
        )
    if not force:
        raise ResultsExistError(
            f"{folder}: results folder already exists; use --force to "
            "replace it, or choose a new --out"
        )


def _ownership(folder: Path, kind: Kind) -> str | None:
    """Why ``--force`` may not replace ``folder`` as a ``kind`` folder, or None."""
    found = folder_kind(folder)
    if found is not None and found != kind:
        article = "an" if kind == "experiment" else "a"
        return f"is an o2osim {found} folder, not {article} {kind} folder"
    return foreign_entry(folder, kind)


def _check_existing_experiment(folder: Path, force: bool, resume: bool) -> None:
    problem = _ownership(folder, "experiment")
    if resume:
        if folder_kind(folder) != "experiment":
            raise ResumeError(
                f"{folder}: --resume needs the folder of an earlier sweep, but "
                f"it {problem}; {_NEW_OUT} without --resume"
            )
        return
    if folder_kind(folder) != "experiment":
        raise ResultsExistError(
            f"{folder}: exists and {problem}; --force replaces only a "
            f"folder o2osim wrote — {_NEW_OUT}"
        )
    if problem is not None:
        raise ResultsExistError(
            f"{folder}: experiment folder already exists and {problem}, "
            "so --force cannot replace it; use --resume to finish it "
            "or choose a new --out"
        )
    if not force:
        raise ResultsExistError(
            f"{folder}: experiment folder already exists; use --resume to "
            "finish it or --force to start again"
        )


def _check_parent(folder: Path, make_parents: bool) -> None:
    parent = Path(os.path.abspath(folder)).parent
    if not parent.exists() and make_parents:
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
    elif not parent.exists():
        raise ResultsExistError(
            f"{folder}: the folder {parent} does not exist; create it first or {_NEW_OUT}"
        )
    if not parent.is_dir():
        raise ResultsExistError(f"{folder}: {parent} is a file, not a folder; {_NEW_OUT}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ResultsExistError(
            f"{folder}: cannot write in {parent} (permission denied); {_NEW_OUT}"
        )


@contextmanager
def atomic_folder(
    folder: str | Path, force: bool = False, *, kind: Kind = "run", make_parents: bool = True
) -> Iterator[Path]:
    """Yield a temporary folder; on success it becomes ``folder`` in one rename.

    Raises :class:`ResultsExistError` if another writer created ``folder`` first
    (without ``force``); nothing of this writer is left behind then.
    """
    folder = Path(os.path.abspath(folder))
    check_target(folder, force, kind, make_parents=make_parents)
    folder.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(folder.parent)
    temp = _make_temp(folder)
    try:
        yield temp
        _install(temp, folder, force, kind)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _make_temp(folder: Path) -> Path:
    while True:
        temp = folder.parent / temp_name(folder.name, "tmp")
        try:
            os.mkdir(temp)  # the umask applies: results are as shared as the user's files
        except FileExistsError:  # pragma: no cover - 32 random bits collided
            continue
        return temp


def _install(temp: Path, folder: Path, force: bool, kind: Kind) -> None:
    if not (force and (folder.exists() or folder.is_symlink())):
        _rename(temp, folder)
        return
    # Another process may have put anything there since the preflight: look again.
    check_target(folder, True, kind)
    old = folder.parent / temp_name(folder.name, "old")
    try:
        os.rename(folder, old)
    except FileNotFoundError:  # removed meanwhile: nothing to replace
        _rename(temp, folder)
        return
    try:
        _rename(temp, folder)
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _rename(temp: Path, folder: Path) -> None:
    """Rename, refusing a non-empty target; a refusal means another writer won."""
    try:
        os.rename(temp, folder)
    except OSError as exc:
        if exc.errno not in _LOST_RACE:
            raise
        shutil.rmtree(temp, ignore_errors=True)
        raise ResultsExistError(
            f"{folder}: another writer finished first; its results are intact and this "
            "run's results were not written"
        ) from None


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Write one file via a temporary name in the same folder, then rename."""
    temp = path.with_name(temp_name(path.name, "tmp"))
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()


def load_results(folder: str | Path) -> dict[str, Any]:
    """The tables of an experiment folder, for notebooks: runs, summary, differences..."""
    import pandas as pd

    folder = Path(folder)
    tables: dict[str, Any] = {
        "runs": pd.read_parquet(folder / "runs.parquet"),
        "summary": pd.read_csv(folder / "summary.csv"),
        "differences": pd.read_csv(folder / "differences.csv"),
        "variants": pd.read_csv(folder / "variants.csv"),
        "experiment": json.loads((folder / "experiment.json").read_text()),
    }
    if (folder / "lead_times.parquet").exists():
        tables["lead_times"] = pd.read_parquet(folder / "lead_times.parquet")
    return tables


# ---------------------------------------------------------------- damaged folders


def _table_problem(path: Path) -> str | None:
    import pandas as pd

    if not path.is_file():
        return f"{path.name} is missing"
    if path.suffix == ".parquet":
        return parquet_problem(path, whole=True)
    try:
        pd.read_csv(path)
    except (OSError, ValueError, UnicodeDecodeError):
        return f"{path.name} is unreadable (truncated or damaged)"
    return None


def check_experiment_folder(folder: Path, shown: int = 10) -> list[str]:
    """One line per problem that stops ``o2osim report`` from trusting ``folder``.

    An empty list means the folder is a finished experiment whose tables and run
    folders all read back. At most ``shown`` damaged runs are named one by one.
    """
    folder = Path(folder)
    if not folder.exists():
        return [f"{folder}: does not exist; give the --out folder of a sweep"]
    if not folder.is_dir():
        return [f"{folder}: is not a folder; give the --out folder of a sweep"]
    info = read_json(folder / "experiment.json")
    if info is None or "fingerprint" not in info:
        return [
            f"{folder}: not an o2osim experiment folder (experiment.json missing or "
            "unreadable); give the --out folder of a sweep"
        ]
    resume = "; run the sweep again with --resume to rebuild it"
    problems: list[str] = []
    for name in ("variants.csv", "runs.parquet", "summary.csv", "differences.csv"):
        problem = _table_problem(folder / name)
        if problem is not None:
            problems.append(f"{folder}: {problem}{resume}")
    leads = folder / "lead_times.parquet"
    if leads.exists() and (problem := parquet_problem(leads, whole=True)) is not None:
        problems.append(f"{folder}: {problem}{resume}")
    problems += _experiment_toml_problem(folder)
    missing: list[Path] = []
    damaged: list[str] = []
    for variant, replication in _expected_runs(info):
        run = folder / "runs" / variant / f"rep-{replication:03d}"
        if not run.exists() and not run.is_symlink():
            missing.append(run)
        elif (problem := run_problem(run, variant, replication)) is not None:
            damaged.append(
                f"{run}: damaged run folder: {problem}; run the sweep again with "
                "--resume to re-run it"
            )
    problems += damaged[:shown]
    if len(damaged) > shown:
        problems.append(f"{folder}: {len(damaged) - shown} more damaged run folders")
    if missing:
        problems.append(
            f"{folder}: {len(missing)} runs missing (first {missing[0]}); the sweep "
            "did not finish; run it again with --resume"
        )
    return problems


def _experiment_toml_problem(folder: Path) -> list[str]:
    import tomllib

    path = folder / "experiment.toml"
    if not path.exists():
        return []
    try:
        tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        return [f"{path}: unreadable copy of the experiment file ({exc})"]
    return []


def _expected_runs(info: dict) -> list[tuple[str, int]]:
    rows, replications = info.get("variants"), info.get("replications")
    if not isinstance(rows, list) or not isinstance(replications, int):
        return []  # a hand-edited experiment.json: the tables above are all we can check
    variants = [v.get("variant") for v in rows if isinstance(v, dict)]
    return [(v, r) for r in range(replications) for v in variants if isinstance(v, str)]
