"""Run an experiment's runs on an executor and assemble its results folder.

Layout of an experiment folder::

    experiment.toml        the experiment file as given
    experiment.json        fingerprint, seeds, variants, o2osim version
    variants.csv           variant id, label, scenario, layout, factor values
    runs/v000/rep-000/     one folder per run: kpis.csv, lead_time_quantiles.csv,
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
import os
import shutil
import tomllib
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .experiment import Experiment, RunSpec
from .results import ResultsExistError, ResumeError, atomic_folder, write_atomic
from .summary import paired_differences, summarise

QUANTILES = np.round(np.arange(0.01, 1.0, 0.01), 2)


def run_one(spec: RunSpec, root: str, save_tables: bool) -> str:
    """Simulate one run and write its folder atomically; return the folder (worker side)."""
    from .api import simulate
    from .scenario import scenario_from_dict

    scenario = scenario_from_dict(tomllib.loads(spec.scenario_toml), source=spec.folder)
    result = simulate(scenario, seed=spec.seed)
    folder = Path(root) / spec.folder
    with atomic_folder(folder, force=True) as temp:
        result.kpis.to_csv(temp / "kpis.csv", index=False)  # for people
        result.kpis.to_parquet(temp / "kpis.parquet", index=False)  # exact, for assembly
        lead_time_quantiles(result.orders).to_parquet(temp / "lead_time_quantiles.parquet",
                                                      index=False)
        if save_tables:
            result.orders.to_parquet(temp / "orders.parquet", index=False)
            result.resources.to_parquet(temp / "resources.parquet", index=False)
            result.inventory.to_parquet(temp / "inventory.parquet", index=False)
        manifest = {**result.manifest, "variant": spec.variant_id,
                    "replication": spec.replication}
        manifest.pop("created", None)
        (temp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return spec.folder


def lead_time_quantiles(orders: pd.DataFrame) -> pd.DataFrame:
    """Percentiles 1..99 of lead time (min) of completed orders, overall and per channel."""
    done = orders[orders["after_warmup"] & orders["outcome"].isin(("delivered", "collected"))]
    frames = []
    for channel, group in [("all", done), *done.groupby("channel", observed=True)]:
        lead = group["lead_time_min"].to_numpy()
        values = np.quantile(lead, QUANTILES) if len(lead) else np.full(len(QUANTILES), np.nan)
        frames.append(pd.DataFrame({"channel": str(channel), "quantile": QUANTILES,
                                    "lead_time_min": values}))
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- executors

def _run_local(todo: list[RunSpec], root: Path, save: bool, workers: int,
               on_done: Callable[[str], None]) -> None:
    if workers <= 1:
        for spec in todo:
            on_done(run_one(spec, str(root), save))
        return
    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        _drain((pool.submit(run_one, spec, str(root), save) for spec in todo), on_done,
               limit=workers * 2)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _drain(futures: Iterable[Future], on_done: Callable[[str], None], limit: int) -> None:
    """Keep at most ``limit`` runs in flight; report each as it finishes."""
    pending: set[Future] = set()
    for future in futures:
        pending.add(future)
        if len(pending) >= limit:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                on_done(f.result())
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for f in finished:
            on_done(f.result())


def _run_dask(todo: list[RunSpec], root: Path, save: bool, address: str, workers: int,
              on_done: Callable[[str], None]) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise ResumeError("--dask needs the optional extra: pip install 'o2osim[dask]'") from None
    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=max(workers, 1), threads_per_worker=1,
                               processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        futures = [client.submit(run_one, spec, str(root), save, pure=False) for spec in todo]
        for future in as_completed(futures):
            on_done(future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------- the sweep


def prepare_folder(experiment: Experiment, out: Path, resume: bool, force: bool) -> None:
    """Create or check the experiment folder; remove half-written runs left by a kill."""
    marker = out / "experiment.json"
    if out.exists() and any(out.iterdir()):
        if resume:
            if not marker.exists():
                raise ResumeError(f"{out}: not an experiment folder (no experiment.json)")
            stored = json.loads(marker.read_text())
            if stored.get("fingerprint") != experiment.fingerprint():
                raise ResumeError(
                    f"{out}: holds a different experiment (scenarios, factors or seeds changed);"
                    " use a new --out or --force to start again"
                )
            for leftover in (out / "runs").glob("*/.*.tmp-*"):
                shutil.rmtree(leftover, ignore_errors=True)
            return
        if not force:
            raise ResultsExistError(
                f"{out}: experiment folder already exists; use --resume to finish it "
                "or --force to start again"
            )
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(experiment.source, out / "experiment.toml")
    pd.DataFrame(experiment.variants_table()).to_csv(out / "variants.csv", index=False)
    info = {
        "name": experiment.name,
        "o2osim_version": __version__,
        "fingerprint": experiment.fingerprint(),
        "replications": experiment.spec.experiment.replications,
        "seeds": sorted({r.seed for r in experiment.runs()}, key=str),
        "baseline": experiment.baseline,
        "variants": experiment.variants_table(),
    }
    write_atomic(marker, lambda p: p.write_text(json.dumps(info, indent=2) + "\n"))


def finished_runs(experiment: Experiment, out: Path) -> set[str]:
    """Run folders already complete (a folder exists only once fully written)."""
    return {r.folder for r in experiment.runs() if (out / r.folder / "manifest.json").exists()}


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
) -> Path:
    """Run every missing run of ``experiment`` into ``out`` and assemble the results.

    ``on_start(total, already_done)`` and ``on_done(run_folder)`` report progress.
    """
    out = Path(out)
    prepare_folder(experiment, out, resume, force)
    done = finished_runs(experiment, out)
    todo = [r for r in experiment.runs() if r.folder not in done]
    if on_start is not None:
        on_start(len(experiment.runs()), len(done))
    save = experiment.spec.experiment.save_tables
    callback = on_done or (lambda folder: None)
    if dask is not None:
        _run_dask(todo, out, save, dask, workers, callback)
    else:
        _run_local(todo, out, save, workers, callback)
    assemble(experiment, out)
    if report:
        from .report import write_report

        write_report(out)
    return out


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


def load_results(folder: str | Path) -> dict[str, Any]:
    """The tables of an experiment folder, for notebooks: runs, summary, differences..."""
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


def default_workers() -> int:
    """One worker per core."""
    return max(os.cpu_count() or 1, 1)
