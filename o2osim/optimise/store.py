"""The optimisation folder: resumable, never half-written, never over a user's files.

Layout::

    problem.toml         the problem file as given
    optimise.json        fingerprint (base scenarios, seed, derived KPIs), o2osim version
    runs/CANDIDATE/rep-NNN/   kpis.parquet + manifest.json, one folder per finished run
    candidates.csv       every candidate evaluated: values, replications, CIs, decisions
    decision.json        the answer with its confidence intervals
    report.md, charts/frontier.png

A run's seed depends only on the problem's seed and its replication index and a
candidate's folder name hashes its scenario, so with ``--resume`` (same fingerprint)
every finished run is read back instead of re-run, whatever else of the problem
(variables, bounds, constraints, search) changed. The summary files are
rewritten atomically at the end. This module only manages files.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from .. import __version__
from ..folders import clean_stale, protected_reason
from ..results import ResultsExistError, ResumeError, atomic_folder, write_atomic
from ..scenario import Scenario, dump_scenario

MARKER = "optimise.json"
#: Everything o2osim writes in an optimisation folder (--force removes only such a folder).
OWN_ENTRIES = frozenset(
    {MARKER, "problem.toml", "runs", "candidates.csv", "decision.json", "report.md", "charts"}
)


def fingerprint(bases: list[tuple[str, Scenario]], seed: int, tails: tuple[Any, ...]) -> str:
    """sha256 over what a run depends on: the base scenarios, the seed, derived KPIs."""
    digest = hashlib.sha256(f"{seed}|{json.dumps(tails)}|".encode())
    for label, scenario in bases:
        digest.update(f"{label}|".encode())
        digest.update(dump_scenario(scenario).encode())
    return digest.hexdigest()


def prepare(out: Path, source: Path, stamp: str, resume: bool, force: bool) -> None:
    """Create ``out``, or check it for ``--resume``; refuse anything else."""
    reason = protected_reason(out)
    if reason is not None:
        raise ResultsExistError(
            f"{out}: {reason}; o2osim never writes over it — choose a new --out"
        )
    if out.exists() and not out.is_dir():
        raise ResultsExistError(f"{out}: exists and is not a folder — choose a new --out")
    if out.is_dir() and any(out.iterdir()):
        ours = (out / MARKER).is_file()
        foreign = sorted(p.name for p in out.iterdir() if p.name not in OWN_ENTRIES)
        if not ours or foreign:
            what = f"holds {foreign[0]!r}" if ours else "is not an o2osim optimisation folder"
            raise ResultsExistError(f"{out}: exists and {what} — choose a new --out")
        if resume:
            stored = json.loads((out / MARKER).read_text(encoding="utf-8"))
            if stored.get("fingerprint") != stamp:
                raise ResumeError(
                    f"{out}: holds runs of a different problem (scenario, seed or derived "
                    "KPIs changed); use a new --out, or --force to start again"
                )
            for parent in [out, out / "charts", *sorted((out / "runs").glob("c*"))]:
                clean_stale(parent)
            return
        if not force:
            raise ResultsExistError(
                f"{out}: already exists; use --resume to continue it (finished runs are "
                "reused) or --force to replace it"
            )
        shutil.rmtree(out)
    info = {"o2osim_version": __version__, "fingerprint": stamp}
    with atomic_folder(out, force=False) as temp:
        shutil.copyfile(source, temp / "problem.toml")
        (temp / "runs").mkdir()
        (temp / MARKER).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def write_json(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=2) + "\n"
    write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))
