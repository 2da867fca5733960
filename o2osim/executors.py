"""Where an experiment's runs execute: this process, a process pool, or a Dask cluster.

A *job* is :func:`o2osim.runner.run_one`: ``job(spec, root, save_tables) -> run
folder``; the executors only call it and report each finished folder through
``on_done``. A pool worker dies with the sweep process, even when that is killed
with ``kill -9`` (``prctl(PR_SET_PDEATHSIG)`` on Linux, a watcher thread elsewhere);
on Ctrl-C, SIGTERM or a failed run the pool is stopped at once and the temporary
folders of unfinished runs are removed, while finished runs stay. This module also
checks ``--workers`` and ``--dask`` before anything runs. It must not know what a
run computes.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .folders import clean_run_temps, pid_alive
from .results import ResumeError

if TYPE_CHECKING:
    from .experiment import RunSpec

#: Runs one experiment run and returns its folder (relative to the experiment folder).
Job = Callable[["RunSpec", str, bool], str]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_DASK_ADDRESS = re.compile(
    r"^(?:(?:tcp|tls|ucx|inproc)://)?"
    r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?)"
    r":(?P<port>\d{1,5})$"
)


def run_local(
    job: Job,
    todo: list[RunSpec],
    root: Path,
    save: bool,
    workers: int,
    on_done: Callable[[str], None],
) -> None:
    """Run ``job`` for each spec in this process (one worker) or a process pool."""
    if workers <= 1:
        for spec in todo:
            on_done(job(spec, str(root), save))
        return
    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=_die_with_parent, initargs=(os.getpid(),)
    )
    try:
        _drain(
            (pool.submit(job, _portable(spec), str(root), save) for spec in todo),
            on_done,
            limit=workers * 2,
        )
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
    threading.Thread(
        target=_watch_parent, args=(sweep, parent), daemon=True, name="o2osim-parent-watch"
    ).start()


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
def dask_client(address: str, workers: int, timeout: float) -> Iterator[Any]:
    """A connected Dask client; an unreachable scheduler is one line, not a traceback."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise ResumeError("--dask needs the optional extra: pip install 'o2osim[dask]'") from None
    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
        else:
            client = Client(address, timeout=timeout)
    except (OSError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise ResumeError(
            f"--dask {address}: no Dask scheduler answered within {timeout:g} s "
            f"({exc}); start one with `dask scheduler`, or use --dask local"
        ) from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_dask(
    client: Any,
    job: Job,
    todo: list[RunSpec],
    root: Path,
    save: bool,
    on_done: Callable[[str], None],
) -> None:
    """Run ``job`` for each spec on a Dask cluster; cancel the rest on any failure."""
    from distributed import as_completed

    futures = [client.submit(job, _portable(spec), str(root), save, pure=False) for spec in todo]
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
        raise ResumeError(
            f"--workers {workers}: at most {limit} (4 per core; o2osim may use "
            f"{cores} cores here, and each worker is a whole process)"
        )
    return workers


def check_dask_address(text: str) -> None:
    """Refuse a ``--dask`` value that is not "local", SCHEME://HOST:PORT or HOST:PORT."""
    if text == "local":
        return
    match = _DASK_ADDRESS.match(text)
    if match is None or not 1 <= int(match["port"]) <= 65535:
        raise ResumeError(
            f'--dask {text!r}: not a scheduler address; give "local" (a cluster '
            "on this machine), tcp://HOST:PORT (or tls://, ucx://, inproc://) or "
            "HOST:PORT, e.g. tcp://10.0.0.5:8786"
        )


def _portable(spec: RunSpec) -> RunSpec:
    """The spec without its scenario object, which does not pickle (pydantic builds some
    of its field types at run time): the worker validates the scenario text once."""
    return replace(spec, scenario=None)
