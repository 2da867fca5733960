"""The results store: resume after an interruption, the same answer on 1 and 2 workers,
refused folders, and bad problem files as one line naming the key path."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2osim.cli import main
from o2osim.optimise import optimise
from o2osim.optimise.problem import Variable
from o2osim.scenario import KeyPathError

from helpers import stripped

OUTPUTS = ("candidates.csv", "decision.json", "report.md")


@pytest.fixture
def mmc_problem(write_problem) -> Path:
    return write_problem(
        stripped(["pick"], 3.0, horizon="1d", warmup="2h"),
        variables=[{"name": "pickers", "keys": ["warehouse.pickers"], "low": 4, "high": 12}],
        constraints=[{"kpi": "resource/pick/wait_over", "over": "30s", "max": 0.05}],
        objective={"kpi": "resource/pick/servers"},
        replications=3,
        step=3,
        max_replications=9,
    )


def _read(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


def test_resume_reruns_nothing_finished_and_workers_do_not_change_results(
    mmc_problem: Path, tmp_path: Path
) -> None:
    whole = optimise(mmc_problem, tmp_path / "whole", workers=1)
    assert whole.simulated == whole.decision["runs_used"] > 5

    seen: list[str] = []

    def interrupt_after_five(folder: str) -> None:
        seen.append(folder)
        if len(seen) == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        optimise(mmc_problem, tmp_path / "cut", workers=1, on_run=interrupt_after_five)
    assert len(list((tmp_path / "cut").glob("runs/*/rep-*/manifest.json"))) == 5

    ran: list[str] = []
    resumed = optimise(mmc_problem, tmp_path / "cut", workers=2, resume=True, on_run=ran.append)
    assert resumed.reused == 5
    assert len(ran) == resumed.simulated == whole.simulated - 5
    assert not set(ran) & set(seen)  # no finished run was simulated again
    assert _read(tmp_path / "cut") == _read(tmp_path / "whole")

    fresh = optimise(mmc_problem, tmp_path / "two", workers=2)
    assert _read(tmp_path / "two") == _read(tmp_path / "whole")
    assert fresh.simulated == whole.simulated

    again = optimise(mmc_problem, tmp_path / "whole", resume=True)
    assert again.simulated == 0 and again.reused == whole.simulated


def test_dask_gives_the_local_pools_answer(mmc_problem: Path, tmp_path: Path) -> None:
    """The same candidates, replications and decision on a Dask LocalCluster."""
    pytest.importorskip("distributed")
    optimise(mmc_problem, tmp_path / "pool", workers=2)
    optimise(mmc_problem, tmp_path / "dask", dask="local")
    assert _read(tmp_path / "dask") == _read(tmp_path / "pool")


def test_existing_folder_needs_resume_or_force(mmc_problem: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "users"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    for flag in ([], ["--force"], ["--resume"]):
        assert main(["optimise", str(mmc_problem), "--out", str(out), "--quiet", *flag]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3 and all("not an o2osim optimisation folder" in x for x in lines)
    assert (out / "notes.txt").read_text() == "mine"


BAD = [
    ("problem.replications = 1", "problem.replications"),
    ('problem.search = "grid"', "problem.search"),
    ("problem.max_replications = 2", "problem.max_replications"),
    ("variables[0].low = 13", "variables[0].high"),
    ('variables[0].keys = ["warehouse.pikcers"]', "warehouse.pikcers"),
    ('constraints[0].over = "soon"', "constraints[0].over"),
    ('constraints[0].kpi = "resource/pikc/wait_over"', "constraints[0].kpi"),
    ('objective.kpi = "overall/all/profit"', "objective.kpi"),
    ("constraints[0].min = 0.5", "constraints[0].max"),
    ('problem.colour = "red"', "problem.colour"),
]


@pytest.mark.parametrize(("change", "named"), BAD)
def test_bad_problem_file_is_one_line_naming_the_key(
    mmc_problem: Path, tmp_path: Path, capsys, change: str, named: str
) -> None:
    import tomllib

    import tomli_w

    data = tomllib.loads(mmc_problem.read_text())
    key, _, value = change.partition(" = ")
    node = data
    parts = key.replace("[0]", ".0").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    node[parts[-1]] = tomllib.loads(f"v = {value}")["v"]
    mmc_problem.write_text(tomli_w.dumps(data))
    assert main(["optimise", str(mmc_problem), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert named in err, err
    assert not (tmp_path / "o").exists()


@given(low=st.integers(-50, 50), gap=st.integers(1, 50))
def test_a_variable_whose_high_is_below_low_is_refused(low: int, gap: int) -> None:
    with pytest.raises(ValueError, match="high") as caught:
        Variable(name="x", keys=["warehouse.pickers"], low=low, high=low - gap)
    assert isinstance(caught.value.errors()[0]["ctx"]["error"], KeyPathError)  # type: ignore[attr-defined]
