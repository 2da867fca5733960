"""Run an experiment's runs on an executor (:mod:`o2osim.executors`) and assemble its results.

Layout of an experiment folder::

    experiment.toml        the experiment file as given
    experiment.json        fingerprint, seeds, variants, o2osim version
    variants.csv           variant id, label, scenario, layout, factor values
    runs/v000/rep-000/     one folder per run: kpis.csv/.parquet, lead_time_quantiles.parquet,
                           manifest.json (+ orders/resources/inventory with save_tables)
    runs.parquet           every KPI of every run (variant, replication, seed, ...)
    lead_times.parquet     lead-time quantiles of every run
    summary.csv            mean, std, 95% CI per variant and KPI
    differences.csv        paired differences against the baseline variant, with CIs
    charts/*.png, report.md

Each run folder is written under a temporary name and renamed, so a run is
either complete or absent; an interrupted sweep (Ctrl-C or kill -9) keeps every
finished run and ``resume`` runs only the missing ones. Results are read back
from the run folders in (variant, replication) order, so the combined tables
are identical whatever the executor and the number of workers.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .executors import check_dask_address, check_workers, dask_client, run_dask, run_local
from .executors import default_workers as default_workers  # re-exported for the CLI
from .executors import usable_cores as usable_cores  # re-exported: part of this API
from .experiment import Experiment, RunSpec
from .folders import (
    check_runs,
    clean_run_temps,
    folder_kind,
    foreign_entry,
    remove_damaged,
    remove_owned,
)
from .folders import finished_runs as finished_runs  # re-exported: part of this API
from .results import ResumeError, atomic_folder, check_target, write_atomic
from .results import check_experiment_folder as check_experiment_folder  # for the CLI
from .results import load_results as load_results  # its old home, used by notebooks
from .run_folder import write_kpis_csv, write_run_tables
from .summary import paired_differences, summarise
from .tables import COMPLETED

QUANTILES = np.round(np.arange(0.01, 1.0, 0.01), 2)


def run_one(spec: RunSpec, root: str, save_tables: bool) -> str:
    """Simulate one run and write its folder atomically; return the folder (worker side)."""
    from .api import simulate
    from .scenario import scenario_from_dict

    scenario = spec.scenario
    if scenario is None:  # a spec built by hand, from its text alone
        scenario = scenario_from_dict(tomllib.loads(spec.scenario_toml), source=spec.folder)
    result = simulate(scenario, seed=spec.seed)
    folder = Path(root) / spec.folder
    with atomic_folder(folder, force=True) as temp:
        write_kpis_csv(result.kpis, temp / "kpis.csv")  # for people
        result.kpis.to_parquet(temp / "kpis.parquet", index=False)  # exact, for assembly
        lead_time_quantiles(result.orders).to_parquet(
            temp / "lead_time_quantiles.parquet", index=False
        )
        if save_tables:  # every table: `o2osim report RUN_FOLDER` recomputes its KPIs
            write_run_tables(temp, result.scenario, result.tables, result.money)
        manifest = {**result.manifest, "variant": spec.variant_id, "replication": spec.replication}
        manifest.pop("created", None)
        (temp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return spec.folder


def lead_time_quantiles(orders: pd.DataFrame) -> pd.DataFrame:
    """Percentiles 1..99 of lead time (min) of completed orders, overall and per channel."""
    done = orders[orders["after_warmup"] & orders["outcome"].isin(COMPLETED)]
    frames = []
    for channel, group in [("all", done), *done.groupby("channel", observed=True)]:
        lead = group["lead_time_min"].to_numpy()
        values = np.quantile(lead, QUANTILES) if len(lead) else np.full(len(QUANTILES), np.nan)
        frames.append(
            pd.DataFrame({"channel": str(channel), "quantile": QUANTILES, "lead_time_min": values})
        )
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- the sweep


def prepare_folder(
    experiment: Experiment, out: Path, resume: bool, force: bool, *, make_parents: bool = True
) -> bool:
    """Create or check the experiment folder; return whether this call created it.

    Everything that can fail (the baseline, the variants) is computed before the
    disk is touched; a new folder appears in one rename, complete or not at all.
    """
    out = Path(out)
    rows = experiment.variants_table()
    info = {
        "name": experiment.name,
        "o2osim_version": __version__,
        "fingerprint": experiment.fingerprint(),
        "replications": experiment.spec.experiment.replications,
        "seeds": sorted({r.seed for r in experiment.runs()}, key=str),
        "baseline": experiment.baseline,
        "variants": rows,
    }
    variants = pd.DataFrame(rows)
    source = Path(experiment.source).read_bytes()
    check_target(out, force, "experiment", resume=resume, make_parents=make_parents)
    if resume and folder_kind(out) == "experiment":
        stored = json.loads((out / "experiment.json").read_text(encoding="utf-8"))
        if stored.get("fingerprint") != info["fingerprint"]:
            hint = "" if foreign_entry(out, "experiment") else " or --force to start again"
            raise ResumeError(
                f"{out}: holds a different experiment (scenarios, factors or "
                f"seeds changed); use a new --out{hint}"
            )
        clean_run_temps(out)
        return False
    with atomic_folder(out, force=force, kind="experiment", make_parents=make_parents) as temp:
        (temp / "experiment.toml").write_bytes(source)
        variants.to_csv(temp / "variants.csv", index=False)
        (temp / "experiment.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return True


def run_experiment(
    experiment: Experiment,
    out: str | Path,
    workers: int = 1,
    dask: str | None = None,
    resume: bool = False,
    force: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_done: Callable[[str], None] | None = None,
    report: bool = True,
    *,
    on_damaged: Callable[[list[str]], None] | None = None,
    make_parents: bool = True,
    dask_timeout: float = 10.0,
    on_runs_done: Callable[[], None] | None = None,
) -> Path:
    """Run every missing run of ``experiment`` into ``out`` and assemble the results.

    ``on_start(total, already_done)`` and ``on_done(run_folder)`` report progress;
    ``on_damaged(run_folders)`` names damaged runs that were removed to be re-run;
    ``on_runs_done()`` is called once every run has finished, before the assembly and
    the report (a progress display stops its thread there, so the report's charts may
    be drawn on forked processes).
    If this call created ``out`` and no run finished (a failure, Ctrl-C), ``out``
    is removed again.
    """
    out = Path(out)
    workers = check_workers(workers)
    if dask is not None:
        check_dask_address(dask)
    _ = experiment.baseline, experiment.variants_table()  # may fail: before any waiting
    check_target(out, force, "experiment", resume=resume, make_parents=make_parents)
    was_empty = out.is_dir() and not any(out.iterdir())
    with ExitStack() as stack:
        client = (
            None if dask is None else stack.enter_context(dask_client(dask, workers, dask_timeout))
        )
        created = prepare_folder(experiment, out, resume, force, make_parents=make_parents)
        try:
            _sweep(experiment, out, client, workers, on_start, on_done, on_damaged)
        except BaseException:
            # Unless someone put their own files in it meanwhile; an empty folder stays.
            if (
                created
                and not any(out.glob("runs/*/rep-*/manifest.json"))
                and remove_owned(out, "experiment")
                and was_empty
            ):
                out.mkdir()
            raise
    if on_runs_done is not None:
        on_runs_done()
    assemble(experiment, out)
    if report:
        from .report import write_report

        write_report(out, processes=1 if dask is not None else workers)
    return out


def _sweep(
    experiment: Experiment,
    out: Path,
    client: Any,
    workers: int,
    on_start: Callable[[int, int], None] | None,
    on_done: Callable[[str], None] | None,
    on_damaged: Callable[[list[str]], None] | None,
) -> None:
    done, damaged = check_runs(experiment, out)
    problem = remove_damaged(out, damaged)
    if problem is not None:
        raise ResumeError(
            f"{problem}; o2osim removes only run folders it wrote — move it "
            "away, then run again with --resume"
        )
    if damaged and on_damaged is not None:
        on_damaged(damaged)
    todo = [r for r in experiment.runs() if r.folder not in done]
    if on_start is not None:
        on_start(len(experiment.runs()), len(done))
    save = experiment.spec.experiment.save_tables
    callback = on_done or (lambda folder: None)
    if client is not None:
        run_dask(client, run_one, todo, out, save, callback)
    else:
        run_local(run_one, todo, out, save, workers, callback)


def assemble(experiment: Experiment, out: Path) -> None:
    """Combine the run folders into runs.parquet, lead_times.parquet, summary, differences."""
    labels = {v.variant_id: v.label for v in experiment.variants}
    kpi_frames, lead_frames = [], []
    for run in experiment.runs():
        folder = out / run.folder
        kpis = pd.read_parquet(folder / "kpis.parquet")
        kpis.insert(0, "variant", run.variant_id)
        kpis.insert(1, "label", labels[run.variant_id])
        kpis.insert(2, "replication", run.replication)
        kpis.insert(3, "seed", run.seed)
        kpi_frames.append(kpis)
        lead = pd.read_parquet(folder / "lead_time_quantiles.parquet")
        lead.insert(0, "variant", run.variant_id)
        lead.insert(1, "replication", run.replication)
        lead_frames.append(lead)
    runs = pd.concat(kpi_frames, ignore_index=True)
    write_atomic(out / "runs.parquet", lambda p: runs.to_parquet(p, index=False))
    if lead_frames:
        leads = pd.concat(lead_frames, ignore_index=True)
        write_atomic(out / "lead_times.parquet", lambda p: leads.to_parquet(p, index=False))
    summary = summarise(runs)
    summary.insert(1, "label", summary["variant"].map(labels))
    write_atomic(out / "summary.csv", lambda p: summary.to_csv(p, index=False))
    diffs = paired_differences(runs, experiment.baseline)
    if len(diffs):
        diffs.insert(1, "label", diffs["variant"].map(labels))
    write_atomic(out / "differences.csv", lambda p: diffs.to_csv(p, index=False))
