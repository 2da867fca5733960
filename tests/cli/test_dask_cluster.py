"""A sweep on a real Dask cluster: a scheduler and two workers as separate processes.

Not a LocalCluster: the scheduler and each worker are started as their own
``python -m distributed.cli...`` subprocesses talking TCP on localhost, as on a
cluster of machines (where each worker has the same o2osim version installed), and
the sweep is pointed at the scheduler with ``--dask tcp://127.0.0.1:PORT``. The
summary must be byte-identical to the one-worker local pool's. The processes are
stopped whatever the outcome.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2osim.cli import main
from o2osim.experiment import load_experiment
from o2osim.runner import run_experiment

from decoys import write_experiment

pytest.importorskip("distributed")

START_TIMEOUT_S = 60.0
SCHEDULER = (sys.executable, "-m", "distributed.cli.dask_scheduler")
WORKER = (sys.executable, "-m", "distributed.cli.dask_worker")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a scheduler with two single-threaded workers, each its own process."""
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [
        subprocess.Popen(
            [*SCHEDULER, "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            **quiet,
        )
    ]
    try:
        for name in ("worker-a", "worker-b"):
            processes.append(
                subprocess.Popen(
                    [*WORKER, address, "--nthreads", "1", "--name", name, "--no-dashboard"],
                    **quiet,
                )
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:  # the scheduler may not listen yet when the client first tries
            try:
                with Client(address, timeout=5) as client:
                    client.wait_for_workers(2, timeout=START_TIMEOUT_S)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        _stop(processes)


def test_sweep_on_a_two_worker_cluster_matches_the_local_pool(
    scheduler: str, tmp_path: Path
) -> None:
    path = write_experiment(tmp_path)
    local = run_experiment(load_experiment(path), tmp_path / "local", workers=1, report=False)
    out = tmp_path / "cluster"
    assert main(["sweep", str(path), "--dask", scheduler, "--out", str(out), "--quiet"]) == 0
    assert (out / "summary.csv").read_bytes() == (local / "summary.csv").read_bytes()
    assert (out / "runs.parquet").exists()
