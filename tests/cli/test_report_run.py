"""A run folder is self-contained: ``o2osim report RUN_DIR`` computes its KPIs again.

Every bundled scenario is run briefly, saved, and its ``kpis.csv`` rebuilt from
the folder alone must be the same bytes; :func:`o2osim.api.load_run` must give the
same KPI and money tables to the last bit. A damaged folder is refused with one
line per problem. The KPI registry keeps the catalogue's groups and order.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from o2osim.api import TABLE_FILES, RunFolderError, check_run_folder, load_run, simulate
from o2osim.bundled import bundled_scenarios
from o2osim.cli import main
from o2osim.experiment import load_experiment
from o2osim.kpi_catalogue import CATALOGUE
from o2osim.kpis import FAMILIES, ORDER, compute_kpis, register
from o2osim.runner import run_experiment
from o2osim.scenario import dump_scenario, load_scenario
from o2osim.tables import RunTables
from o2osim.validation import textbook_scenario

#: Short runs: long enough after the warm-up for every KPI family the scenario has.
SHORT = {"shanghai_hongqiao_airport": ("5d", "4d")}
SCENARIOS = {path.stem: path for path in bundled_scenarios()}


def _run(name: str, seed: int = 5):
    horizon, warmup = SHORT.get(name, ("3d", "1d"))
    scenario = load_scenario(
        SCENARIOS[name], [f'scenario.horizon="{horizon}"', f'scenario.warmup="{warmup}"']
    )
    return simulate(scenario, seed=seed)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The baseline, run briefly and saved without charts."""
    return _run("wenzhou_baseline").save(tmp_path_factory.mktemp("run") / "base", charts=False)


def _one_error_per_line(err: str) -> list[str]:
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("o2osim: error: ") for line in lines), err
    return lines


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_report_reproduces_kpis_csv_from_the_folder_alone(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = _run(name)
    folder = result.save(tmp_path / name, charts=False)
    for file in ("scenario.toml", *(f for k, f in TABLE_FILES.items() if k != "flights")):
        assert (folder / file).is_file(), file
    assert (folder / "flights.parquet").exists() == (result.scenario.airport is not None)
    stored = (folder / "kpis.csv").read_bytes()
    (folder / "kpis.csv").unlink()

    assert main(["report", str(folder)]) == 0
    assert "run folder" in capsys.readouterr().out
    assert (folder / "kpis.csv").read_bytes() == stored

    again = load_run(folder)  # exact, not only to the six digits of kpis.csv
    pd.testing.assert_frame_equal(again.kpis, result.kpis, check_exact=True)
    pd.testing.assert_frame_equal(again.money, result.money, check_exact=True)
    assert again.info.resource_stats == result.info.resource_stats
    assert again.info.counters == result.info.counters
    assert again.seed == result.seed


def test_report_says_whether_kpis_csv_changed(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = Path(shutil.copytree(saved, tmp_path / "copy"))
    original = (folder / "kpis.csv").read_bytes()
    assert main(["report", str(folder)]) == 0
    assert "identical to the one stored" in capsys.readouterr().out
    (folder / "kpis.csv").write_text("group,name,kpi,value,unit\n")
    assert main(["report", str(folder)]) == 0
    assert "replaced" in capsys.readouterr().out
    assert (folder / "kpis.csv").read_bytes() == original
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temp file left


def test_a_damaged_run_folder_gives_one_line_per_problem(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = Path(shutil.copytree(saved, tmp_path / "damaged"))
    (folder / "resource_stats.parquet").unlink()
    counters = folder / "counters.parquet"
    counters.write_bytes(counters.read_bytes()[:40])  # as a full disk leaves it
    toml = folder / "scenario.toml"
    toml.write_text(toml.read_text().replace("pickers = ", "pickers = 1", 1))
    kpis = (folder / "kpis.csv").read_bytes()

    problems = check_run_folder(folder)
    assert len(problems) == 3, problems
    assert [p for p in problems if "resource_stats.parquet is missing" in p]
    assert [p for p in problems if "counters.parquet is unreadable" in p]
    assert [p for p in problems if "scenario.toml is not the scenario" in p]
    assert main(["report", str(folder)]) == 2
    assert _one_error_per_line(capsys.readouterr().err) == [f"o2osim: error: {p}" for p in problems]
    assert (folder / "kpis.csv").read_bytes() == kpis  # nothing written
    with pytest.raises(RunFolderError):
        load_run(folder)


def test_a_run_folder_of_another_shape_is_one_line(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = Path(shutil.copytree(saved, tmp_path / "odd"))
    pd.DataFrame({"x": [1]}).to_parquet(folder / "orders.parquet")
    assert main(["report", str(folder)]) == 2
    (line,) = _one_error_per_line(capsys.readouterr().err)
    assert "do not fit" in line


@pytest.mark.parametrize("case", ["missing", "file", "neither", "no_manifest_keys"])
def test_report_on_what_is_not_a_results_folder(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "target"
    if case == "file":
        target.write_text("thesis")
    elif case == "neither":
        target.mkdir()
        (target / "notes.txt").write_text("mine")
    elif case == "no_manifest_keys":
        target.mkdir()
        (target / "manifest.json").write_text("{}")
    assert main(["report", str(target)]) == 2
    (line,) = _one_error_per_line(capsys.readouterr().err)
    assert str(target) in line
    assert not (target.is_dir() and (target / "kpis.csv").exists())


def test_report_still_rebuilds_an_experiment_and_says_which_it_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = textbook_scenario(["pick", "pack", "deliver"], 0.5)
    (tmp_path / "tiny.toml").write_text(dump_scenario(scenario))
    (tmp_path / "experiment.toml").write_text(
        '[experiment]\nname = "tiny"\nscenario = "tiny.toml"\nreplications = 2\n'
        'horizon = "3h"\nwarmup = "1h"\n\n[factors]\n"warehouse.pickers" = [2, 3]\n'
    )
    out = run_experiment(
        load_experiment(tmp_path / "experiment.toml"), tmp_path / "out", report=False
    )
    assert not (out / "report.md").exists()
    assert main(["report", str(out)]) == 0
    assert capsys.readouterr().out.startswith("experiment folder: wrote")
    assert (out / "report.md").is_file()


def test_the_registry_and_the_catalogue_list_the_same_groups_in_order() -> None:
    assert tuple(CATALOGUE) == ORDER
    assert set(FAMILIES) == set(ORDER)


def test_a_family_is_registered_once_under_a_known_group() -> None:
    with pytest.raises(ValueError, match=r"not in registry\.ORDER"):
        register("weather")
    with pytest.raises(ValueError, match="already has a family"):
        register("overall")(lambda source: [])


def test_kpis_without_money_leave_the_money_rows_out() -> None:
    result = _run("wenzhou_baseline")
    kpis = compute_kpis(result.scenario, result.tables)
    assert "site" not in set(kpis["group"]) and "profit_cny" not in set(kpis["kpi"])
    money_rows = result.kpis[result.kpis["group"] != "site"]
    kept = money_rows.merge(kpis, on=["group", "name", "kpi"], suffixes=("", "_bare"))
    assert (kept["value"].fillna(-1) == kept["value_bare"].fillna(-1)).all()
    assert isinstance(result.tables, RunTables)
