"""The results folder appears complete or not at all (docs/architecture.md)."""

from __future__ import annotations

import json
import tomllib

import pandas as pd
import pytest

from o2osim import load_scenario, simulate
from o2osim.cli import main
from o2osim.results import atomic_folder
from o2osim.scenario import scenario_from_dict

EXPECTED = {
    "scenario.toml",
    "manifest.json",
    "orders.parquet",
    "resources.parquet",
    "inventory.parquet",
    "kpis.csv",
}
SHORT = ["--horizon", "2d", "--set", 'scenario.warmup="12h"', "--quiet"]


def test_cli_run_writes_a_complete_folder(baseline_path, tmp_path):
    out = tmp_path / "run"
    assert main(["run", str(baseline_path), "--out", str(out), *SHORT]) == 0
    files = {p.name for p in out.iterdir()}
    assert files >= EXPECTED
    assert len([f for f in files if f.endswith(".png")]) >= 3
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left over
    manifest = json.loads((out / "manifest.json").read_text())
    orders = pd.read_parquet(out / "orders.parquet")
    assert manifest["orders"] == len(orders) > 0
    assert manifest["seed"] == 20261122
    # The resolved scenario re-runs as is and gives the same orders.
    again = simulate(scenario_from_dict(tomllib.loads((out / "scenario.toml").read_text())))
    pd.testing.assert_frame_equal(again.orders, orders)


def test_existing_folder_is_refused_then_replaced_with_force(baseline_path, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(baseline_path), "--out", str(out), *SHORT]) == 0
    first = (out / "manifest.json").read_text()
    assert main(["run", str(baseline_path), "--out", str(out), *SHORT]) == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "manifest.json").read_text() == first
    assert main(["run", str(baseline_path), "--out", str(out), "--force", *SHORT]) == 0
    assert (out / "orders.parquet").exists()


def test_force_never_replaces_a_folder_holding_a_users_file(baseline_path, tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["run", str(baseline_path), "--out", str(out), "--force", *SHORT]) == 2
    err = capsys.readouterr().err
    assert "keep.txt" in err and "choose a new --out" in err
    assert "use --force" not in err
    assert (out / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_failure_while_writing_leaves_nothing(tmp_path):
    target = tmp_path / "half"
    with pytest.raises(RuntimeError), atomic_folder(target) as temp:
        (temp / "orders.parquet").write_text("partial")
        raise RuntimeError("disk full")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_kpis_csv_matches_result(baseline_path, tmp_path):
    scenario = load_scenario(baseline_path, ['scenario.horizon="2d"', 'scenario.warmup="12h"'])
    result = simulate(scenario, seed=3)
    folder = result.save(tmp_path / "saved", charts=False)
    table = pd.read_csv(folder / "kpis.csv")
    placed = table[(table.group == "overall") & (table.kpi == "orders_placed")]["value"].item()
    assert placed == int(result.orders["after_warmup"].sum())


def test_the_readme_quick_start_works_in_an_empty_folder(baseline_path, tmp_path, monkeypatch):
    # `--out results/baseline` in a fresh clone: `results/` does not exist yet and is made.
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(baseline_path), "--out", "results/baseline", *SHORT]) == 0
    assert (tmp_path / "results" / "baseline" / "manifest.json").exists()
