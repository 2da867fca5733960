"""Experiments: expansion, seeds, executors, resume after a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from o2osim.cli import main
from o2osim.experiment import load_experiment
from o2osim.runner import run_experiment

from decoys import write_experiment


def test_grid_expands_with_common_seeds(tmp_path):
    experiment = load_experiment(write_experiment(tmp_path))
    runs = experiment.runs()
    assert [v.label for v in experiment.variants] == ["pickers=3", "pickers=4"]
    assert len(runs) == 6
    seeds = {(r.variant_id, r.replication): r.seed for r in runs}
    for rep in range(3):  # common random numbers: replication r has one seed everywhere
        assert seeds[("v000", rep)] == seeds[("v001", rep)]
    assert len({seeds[("v000", r)] for r in range(3)}) == 3


def test_bad_experiment_file_is_one_line_exit_2(tmp_path, capsys):
    path = write_experiment(tmp_path)
    path.write_text(path.read_text().replace("replications", "replicatons"))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "replicatons" in err
    assert not (tmp_path / "out").exists()


def test_bad_factor_value_names_the_key(tmp_path, capsys):
    path = write_experiment(tmp_path)
    path.write_text(path.read_text().replace("[3, 4]", "[3, -4]"))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "warehouse.pickers" in capsys.readouterr().err


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The experiment run in-process with one worker: the summary every executor must match."""
    folder = tmp_path_factory.mktemp("reference")
    experiment = load_experiment(write_experiment(folder))
    out = run_experiment(experiment, folder / "out", workers=1, report=False)
    return folder, (out / "summary.csv").read_bytes(), (out / "runs.parquet")


def test_two_workers_give_the_same_summary(reference, tmp_path):
    folder, summary, _ = reference
    out = run_experiment(
        load_experiment(folder / "tiny_experiment.toml"), tmp_path / "w2", workers=2, report=False
    )
    assert (out / "summary.csv").read_bytes() == summary


def test_dask_local_cluster_gives_the_same_summary(reference, tmp_path):
    pytest.importorskip("distributed")
    folder, summary, _ = reference
    out = run_experiment(
        load_experiment(folder / "tiny_experiment.toml"),
        tmp_path / "dask",
        workers=2,
        dask="local",
        report=False,
    )
    assert (out / "summary.csv").read_bytes() == summary


def test_paired_differences_use_common_random_numbers(reference):
    runs = pd.read_parquet(reference[2])
    placed = runs[(runs.kpi == "orders_placed") & (runs.group == "overall")]
    by_rep = placed.pivot(index="replication", columns="variant", values="value")
    # Same customers in both variants: the arrival counts are identical per replication.
    assert (by_rep["v000"] == by_rep["v001"]).all()


def test_killed_sweep_resumes_without_rerunning(reference, tmp_path):
    folder, summary, _ = reference
    experiment = folder / "tiny_experiment.toml"
    out = tmp_path / "killed"
    command = [
        sys.executable,
        "-m",
        "o2osim.cli",
        "sweep",
        str(experiment),
        "--out",
        str(out),
        "--workers",
        "1",
        "--quiet",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        if len(list(out.glob("runs/*/rep-*/manifest.json"))) >= 2:
            break
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    finished = {p: p.stat().st_mtime_ns for p in out.glob("runs/*/rep-*/manifest.json")}
    assert 2 <= len(finished) < 6, "the kill should land part-way through the sweep"
    assert not (out / "summary.csv").exists()

    assert (
        main(["sweep", str(experiment), "--out", str(out), "--resume", "--quiet", "--workers", "1"])
        == 0
    )
    for path, mtime in finished.items():  # finished runs were not redone
        assert path.stat().st_mtime_ns == mtime
    assert len(list(out.glob("runs/*/rep-*/manifest.json"))) == 6
    assert not list(out.glob("runs/*/.*"))  # no half-written run left behind
    assert (out / "summary.csv").read_bytes() == summary


def test_existing_folder_needs_resume_or_force(reference, tmp_path, capsys):
    folder, _, _ = reference
    experiment = str(folder / "tiny_experiment.toml")
    out = tmp_path / "again"
    assert main(["sweep", experiment, "--out", str(out), "--quiet", "--workers", "1"]) == 0
    assert main(["sweep", experiment, "--out", str(out), "--quiet"]) == 2
    assert "--resume" in capsys.readouterr().err
    info = json.loads((out / "experiment.json").read_text())
    assert info["replications"] == 3
    assert (out / "report.md").exists()
    assert {p.name for p in (out / "charts").iterdir()} >= {
        "kpi_bars.png",
        "lead_time_distribution.png",
    }


def test_resume_refuses_a_changed_experiment(reference, tmp_path, capsys):
    folder, _, _ = reference
    experiment = folder / "tiny_experiment.toml"
    out = tmp_path / "changed"
    assert main(["sweep", str(experiment), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    changed = tmp_path / "changed.toml"
    changed.write_text(experiment.read_text().replace("seed = 11", "seed = 12"))
    (tmp_path / "tiny.toml").write_text((folder / "tiny.toml").read_text())
    assert main(["sweep", str(changed), "--out", str(out), "--resume", "--quiet"]) == 2
    assert "different experiment" in capsys.readouterr().err
