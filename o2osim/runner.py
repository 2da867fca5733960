"""Run an experiment's runs on an executor and assemble its results folder.

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

import ctypes
import json
import os
import re
import signal
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .experiment import Experiment, RunSpec
from .folders import (
    check_runs,
    clean_run_temps,
    folder_kind,
    foreign_entry,
    pid_alive,
    remove_damaged,
    remove_owned,
)
from .folders import finished_runs as finished_runs  # re-exported: part of this API
from .results import ResumeError, atomic_folder, check_target, write_atomic
from .results import check_experiment_folder as check_experiment_folder  # for the CLI
from .results import load_results as load_results  # its old home, used by notebooks
from .summary import paired_differences, summarise

QUANTILES = np.round(np.arange(0.01, 1.0, 0.01), 2)
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_DASK_ADDRESS = re.compile(
    r"^(?:(?:tcp|tls|ucx|inproc)://)?"
    r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?)"
    r":(?P<port>\d{1,5})$"
)


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
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent,
                               initargs=(os.getpid(),))
    try:
        _drain((pool.submit(run_one, spec, str(root), save) for spec in todo), on_done,
               limit=workers * 2)
    except BaseException:  # Ctrl-C, SIGTERM or a failed run: stop now, keep finished runs
        _stop_pool(pool)
        clean_run_temps(root)
        raise
    pool.shutdown(wait=True)


def _die_with_parent(sweep: int) -> None:
    """Pool initializer: end this worker when the sweep process dies, even by kill -9."""
    # A forked worker inherits the CLI's SIGTERM-as-Ctrl-C handler, which would let it
    # outlive terminate(); Ctrl-C reaches the whole process group, but only the sweep
    # decides what to stop.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no libc prctl: the watcher thread still works
            pass
    parent = os.getppid()
    if not pid_alive(sweep):  # died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(sweep, parent), daemon=True,
                     name="o2osim-parent-watch").start()


def _watch_parent(sweep: int, parent: int) -> None:
    # Where prctl is missing (macOS), a worker orphaned by kill -9 is re-parented: poll.
    while os.getppid() == parent and pid_alive(sweep):
        time.sleep(0.5)
    os._exit(1)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    # The executor cannot stop a running task; its workers are reachable only
    # through this private attribute.
    handles = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in handles:
        process.terminate()
    for process in handles:
        process.join(timeout=5)
        if process.is_alive():  # pragma: no cover - a worker stuck in uninterruptible I/O
            process.kill()
            process.join(timeout=5)


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


@contextmanager
def _dask_client(address: str, workers: int, timeout: float) -> Iterator[Any]:
    """A connected Dask client; an unreachable scheduler is one line, not a traceback."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise ResumeError("--dask needs the optional extra: pip install 'o2osim[dask]'") from None
    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(address, timeout=timeout)
    except (OSError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise ResumeError(f"--dask {address}: no Dask scheduler answered within {timeout:g} s "
                          f"({exc}); start one with `dask scheduler`, or use --dask local"
                          ) from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run_dask(client: Any, todo: list[RunSpec], root: Path, save: bool,
              on_done: Callable[[str], None]) -> None:
    from distributed import as_completed

    futures = [client.submit(run_one, spec, str(root), save, pure=False) for spec in todo]
    try:
        for future in as_completed(futures):
            on_done(future.result())
    except BaseException:
        client.cancel(futures)
        raise


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # macOS, Windows
        return max(os.cpu_count() or 1, 1)


def default_workers() -> int:
    """One worker per usable core."""
    return usable_cores()


def check_workers(workers: int) -> int:
    """``workers`` if sane: at least 1, at most 4 per usable core; else :class:`ResumeError`."""
    if workers < 1:
        raise ResumeError(f"--workers {workers}: give at least 1")
    cores = usable_cores()
    # Runs are CPU-bound: past the cores more workers only add memory (a whole Python
    # process each) and switching; 4x leaves room to oversubscribe on purpose.
    limit = 4 * cores
    if workers > limit:
        raise ResumeError(f"--workers {workers}: at most {limit} (4 per core; o2osim may use "
                          f"{cores} cores here, and each worker is a whole process)")
    return workers


def check_dask_address(text: str) -> None:
    """Refuse a ``--dask`` value that is not "local", SCHEME://HOST:PORT or HOST:PORT."""
    if text == "local":
        return
    match = _DASK_ADDRESS.match(text)
    if match is None or not 1 <= int(match["port"]) <= 65535:
        raise ResumeError(f"--dask {text!r}: not a scheduler address; give \"local\" (a cluster "
                          "on this machine), tcp://HOST:PORT (or tls://, ucx://, inproc://) or "
                          "HOST:PORT, e.g. tcp://10.0.0.5:8786")


# ---------------------------------------------------------------- the sweep


def prepare_folder(experiment: Experiment, out: Path, resume: bool, force: bool, *,
                   make_parents: bool = True) -> bool:
    """Create or check the experiment folder; return whether this call created it.

    Everything that can fail (the baseline, the variants) is computed before the
    disk is touched; a new folder appears in one rename, complete or not at all.
    """
    out = Path(out)
    info = {
        "name": experiment.name,
        "o2osim_version": __version__,
        "fingerprint": experiment.fingerprint(),
        "replications": experiment.spec.experiment.replications,
        "seeds": sorted({r.seed for r in experiment.runs()}, key=str),
        "baseline": experiment.baseline,
        "variants": experiment.variants_table(),
    }
    variants = pd.DataFrame(info["variants"])
    source = Path(experiment.source).read_bytes()
    check_target(out, force, "experiment", resume=resume, make_parents=make_parents)
    if resume and folder_kind(out) == "experiment":
        stored = json.loads((out / "experiment.json").read_text(encoding="utf-8"))
        if stored.get("fingerprint") != info["fingerprint"]:
            hint = "" if foreign_entry(out, "experiment") else " or --force to start again"
            raise ResumeError(f"{out}: holds a different experiment (scenarios, factors or "
                              f"seeds changed); use a new --out{hint}")
        clean_run_temps(out)
        return False
    with atomic_folder(out, force=force, kind="experiment", make_parents=make_parents) as temp:
        (temp / "experiment.toml").write_bytes(source)
        variants.to_csv(temp / "variants.csv", index=False)
        (temp / "experiment.json").write_text(json.dumps(info, indent=2) + "\n",
                                              encoding="utf-8")
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
) -> Path:
    """Run every missing run of ``experiment`` into ``out`` and assemble the results.

    ``on_start(total, already_done)`` and ``on_done(run_folder)`` report progress;
    ``on_damaged(run_folders)`` names damaged runs that were removed to be re-run.
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
        client = None if dask is None else stack.enter_context(
            _dask_client(dask, workers, dask_timeout))
        created = prepare_folder(experiment, out, resume, force, make_parents=make_parents)
        try:
            _sweep(experiment, out, client, workers, on_start, on_done, on_damaged)
        except BaseException:
            # Unless someone put their own files in it meanwhile; an empty folder stays.
            if created and not any(out.glob("runs/*/rep-*/manifest.json")) \
                    and remove_owned(out, "experiment") and was_empty:
                out.mkdir()
            raise
    assemble(experiment, out)
    if report:
        from .report import write_report

        write_report(out)
    return out


def _sweep(experiment: Experiment, out: Path, client: Any, workers: int,
           on_start: Callable[[int, int], None] | None,
           on_done: Callable[[str], None] | None,
           on_damaged: Callable[[list[str]], None] | None) -> None:
    done, damaged = check_runs(experiment, out)
    problem = remove_damaged(out, damaged)
    if problem is not None:
        raise ResumeError(f"{problem}; o2osim removes only run folders it wrote — move it "
                          "away, then run again with --resume")
    if damaged and on_damaged is not None:
        on_damaged(damaged)
    todo = [r for r in experiment.runs() if r.folder not in done]
    if on_start is not None:
        on_start(len(experiment.runs()), len(done))
    save = experiment.spec.experiment.save_tables
    callback = on_done or (lambda folder: None)
    if client is not None:
        _run_dask(client, todo, out, save, callback)
    else:
        _run_local(todo, out, save, workers, callback)


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
