"""What o2osim may delete: its own results folders, its own temp folders, nothing else.

A run folder holds ``manifest.json`` with ``o2osim_version`` and only the files
:meth:`o2osim.api.Result.save` and :func:`o2osim.runner.run_one` write. An
experiment folder holds ``experiment.json`` with ``fingerprint`` and only what
:mod:`o2osim.runner` and :mod:`o2osim.report` write. Any other entry is the
user's, and its presence makes the folder untouchable by ``--force``.

Temporary names are ``.NAME.tmp-<pid>-<random>`` and ``.NAME.old-<pid>-<random>``.
The first four hex digits of ``<random>`` hash the host name, so a folder on a
shared disk is only ever cleaned by a process on the host that can tell whether
the writer is still alive.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .experiment import Experiment

Kind = Literal["run", "experiment"]

RUN_FILES = frozenset(
    {
        "scenario.toml",
        "orders.parquet",
        "resources.parquet",
        "inventory.parquet",
        "money.parquet",
        "flights.parquet",
        "kpis.csv",
        "manifest.json",
        # the run's statistics that are not logs (o2osim.api.TABLE_FILES)
        "resource_stats.parquet",
        "counters.parquet",
        # run folders inside an experiment (runner.run_one)
        "kpis.parquet",
        "lead_time_quantiles.parquet",
        # an MDRP solution folder (o2osim.mdrp.bench.write_run)
        "metrics.json",
        "solution_info_assignments.txt",
        "solution_info_orders.txt",
        "solution_info_couriers.txt",
    }
)
EXPERIMENT_FILES = frozenset(
    {
        "experiment.toml",
        "experiment.json",
        "variants.csv",
        "runs.parquet",
        "lead_times.parquet",
        "summary.csv",
        "differences.csv",
        "report.md",
    }
)
EXPERIMENT_DIRS = frozenset({"runs", "charts"})
_VARIANT = re.compile(r"^v\d{3,}$")
_REPLICATION = re.compile(r"^rep-\d{3,}$")
_TEMP = re.compile(
    r"^\.(?P<name>.+)\.(?P<what>tmp|old)-(?P<pid>\d+)-(?P<host>[0-9a-f]{4})"
    r"[0-9a-f]{8}$"
)


# ---------------------------------------------------------------- temp names


def host_tag() -> str:
    """Four hex digits naming this host in temp names."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:4]


def temp_name(name: str, what: Literal["tmp", "old"]) -> str:
    """A fresh hidden name for a temp (being written) or old (being replaced) copy."""
    return f".{name}.{what}-{os.getpid()}-{host_tag()}{secrets.token_hex(4)}"


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (a recycled id errs towards keeping files)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _is_temp(name: str) -> bool:
    return _TEMP.match(name) is not None


def stale(entry: Path) -> bool:
    """A temp or old copy left by a killed o2osim process on this host."""
    match = _TEMP.match(entry.name)
    if match is None or match["host"] != host_tag() or entry.is_symlink():
        return False
    if int(match["pid"]) == os.getpid() or pid_alive(int(match["pid"])):
        return False
    if entry.is_file():
        return _owned_name(match["name"])
    return entry.is_dir() and foreign_entry(entry, None) is None


def _owned_name(name: str) -> bool:
    return name in RUN_FILES or name in EXPERIMENT_FILES or name.endswith(".png") or _is_temp(name)


def clean_stale(parent: Path) -> list[Path]:
    """Remove the temp and old copies of killed o2osim processes in ``parent``."""
    removed: list[Path] = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if stale(entry):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


# ---------------------------------------------------------------- protected places


def protected_reason(folder: Path) -> str | None:
    """Why ``folder`` may never be written over or removed, or None."""
    absolute = Path(os.path.abspath(folder))
    if absolute.is_symlink():
        return "is a symbolic link (o2osim never follows one)"
    real = absolute.resolve()
    if real == Path(real.anchor):
        return "is the root folder"
    try:
        home = Path.home().resolve()
    except (RuntimeError, KeyError):  # no HOME and no passwd entry
        home = None
    if home is not None and real == home:
        return "is your home folder"
    if home is not None and real in home.parents:
        return "is a parent of your home folder"
    try:
        cwd = Path.cwd().resolve()
    except OSError:  # the current folder was deleted under us
        cwd = None
    if cwd is not None and real == cwd:
        return "is the current folder"
    if cwd is not None and real in cwd.parents:
        return "is a parent of the current folder"
    if (real / ".git").exists() or (real / ".git").is_symlink():
        return "holds .git (a repository)"
    return None


# ---------------------------------------------------------------- ownership


def read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def folder_kind(folder: Path) -> Kind | None:
    """Which o2osim folder this is by its marker file, or None."""
    info = read_json(folder / "experiment.json")
    if info is not None and "fingerprint" in info:
        return "experiment"
    manifest = read_json(folder / "manifest.json")
    if manifest is not None and "o2osim_version" in manifest:
        return "run"
    return None


def foreign_entry(folder: Path, kind: Kind | None) -> str | None:
    """The first thing in ``folder`` o2osim did not write, as a phrase, or None.

    With ``kind`` the marker file must be there; ``None`` checks names only (temp
    copies of any kind, which may be missing their marker).
    """
    problem = _first_foreign(folder, "any" if kind is None else kind)
    if problem is None and kind is not None and folder_kind(folder) != kind:
        marker = "manifest.json" if kind == "run" else "experiment.json"
        return f"has no o2osim {marker}, so it is not an o2osim {kind} folder"
    return problem


def _first_foreign(folder: Path, level: str, prefix: str = "") -> str | None:
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        return f"cannot be listed ({exc.strerror})"
    for entry in entries:
        name = prefix + entry.name
        if entry.is_symlink():
            return f"holds {name!r}, a symbolic link, which o2osim never makes"
        temp = _is_temp(entry.name)
        if entry.is_dir():
            child = "any" if temp else _child_level(level, entry.name)
            if child is None:
                return f"holds {name + '/'!r}, which o2osim did not write"
            problem = _first_foreign(entry, child, name + "/")
            if problem is not None:
                return problem
        elif not entry.is_file():
            return f"holds {name!r}, which is not a regular file"
        elif not _file_allowed(level, _TEMP.sub(r"\g<name>", entry.name)):
            return f"holds {name!r}, which o2osim did not write"
    return None


def _file_allowed(level: str, name: str) -> bool:
    if level == "run":
        return name in RUN_FILES or name.endswith(".png")
    if level == "rep":
        return name in RUN_FILES
    if level == "experiment":
        return name in EXPERIMENT_FILES
    if level == "charts":
        return name.endswith(".png")
    if level == "any":  # a temp copy of either kind
        return _owned_name(name)
    return False  # runs/ and runs/vNNN/ hold folders only


def _child_level(level: str, name: str) -> str | None:
    """The level of a sub-folder ``name`` inside a folder of ``level``, or None if foreign."""
    if level in ("experiment", "any") and name in EXPERIMENT_DIRS:
        return name
    if level in ("runs", "any") and _VARIANT.match(name):
        return "variant"
    if level in ("variant", "any") and _REPLICATION.match(name):
        return "rep"
    return None


def remove_owned(folder: Path, kind: Kind) -> bool:
    """Delete ``folder`` only if it is, still, an o2osim folder of ``kind``."""
    if protected_reason(folder) is not None or foreign_entry(folder, kind) is not None:
        return False
    shutil.rmtree(folder)
    return True


# ---------------------------------------------------------------- damaged folders


def run_problem(folder: Path, variant: str, replication: int, tables: bool = False) -> str | None:
    """Why the run folder is not a complete run of (variant, replication), or None."""
    if folder.is_symlink() or not folder.is_dir():
        return "is not a folder"
    manifest = read_json(folder / "manifest.json")
    if manifest is None:
        return "manifest.json is missing or unreadable"
    if manifest.get("variant") != variant or manifest.get("replication") != replication:
        return (
            f"manifest.json names variant {manifest.get('variant')!r} replication "
            f"{manifest.get('replication')!r}, not {variant!r} {replication}"
        )
    for name in ("kpis.parquet", "lead_time_quantiles.parquet"):
        problem = parquet_problem(folder / name, whole=True)
        if problem is not None:
            return problem
    if tables:  # large: only their footers are read
        for name in ("orders.parquet", "resources.parquet", "inventory.parquet"):
            problem = parquet_problem(folder / name, whole=False)
            if problem is not None:
                return problem
    return None


def parquet_problem(path: Path, whole: bool) -> str | None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.is_file():
        return f"{path.name} is missing"
    try:
        if whole:
            pq.read_table(path)
        else:
            pq.read_metadata(path)
    except (OSError, ValueError, pa.ArrowException):
        return f"{path.name} is unreadable (truncated or damaged)"
    return None


def check_runs(experiment: Experiment, out: Path) -> tuple[set[str], list[str]]:
    """(finished, damaged) run folders: a run is finished only if its files read back."""
    tables = experiment.spec.experiment.save_tables
    finished, damaged = set(), []
    for run in experiment.runs():
        folder = out / run.folder
        if not (folder.exists() or folder.is_symlink()):
            continue
        if run_problem(folder, run.variant_id, run.replication, tables) is None:
            finished.add(run.folder)
        else:
            damaged.append(run.folder)
    return finished, damaged


def finished_runs(experiment: Experiment, out: Path) -> set[str]:
    """Run folders already complete (their manifest and tables read back)."""
    return check_runs(experiment, out)[0]


def remove_damaged(out: Path, damaged: list[str]) -> str | None:
    """Delete damaged run folders o2osim wrote; else name the first it may not delete."""
    for name in damaged:
        folder = out / name
        problem = (
            "is not a folder"
            if folder.is_symlink() or not folder.is_dir()
            else _first_foreign(folder, "rep")
        )
        if problem is not None:
            return f"{folder}: damaged run folder that {problem}"
    for name in damaged:
        shutil.rmtree(out / name)
    return None


def clean_run_temps(out: Path) -> None:
    """Remove temp copies of killed writers (dead pids only) anywhere in an experiment."""
    for parent in [out, out / "charts", *sorted((out / "runs").glob("v*"))]:
        clean_stale(parent)
