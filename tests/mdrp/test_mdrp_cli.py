"""``o2osim mdrp``: run, check and bench from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from o2osim.cli import main
from o2osim.mdrp.solution import FILES

from mdrp_cases import NAMES, copy_instance

NAME = NAMES[1]  # the smallest bundled instance


def test_run_writes_a_feasible_solution_the_same_every_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for out in ("a", "b"):
        assert main(["mdrp", "run", NAME, "--out", str(tmp_path / out)]) == 0
    for name in (*FILES, "metrics.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    record = json.loads((tmp_path / "a" / "metrics.json").read_text())
    assert record["feasible"] and record["policy"] == "rolling_horizon"
    assert main(["mdrp", "check", NAME, str(tmp_path / "a")]) == 0
    assert "FEASIBLE" in capsys.readouterr().out


def test_check_reports_a_tampered_solution(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert main(["mdrp", "run", NAME, "--policy", "fcfs", "--out", str(out)]) == 0
    orders = out / "solution_info_orders.txt"
    lines = orders.read_text().splitlines()
    lines.append(lines[1])  # the first order delivered twice
    orders.write_text("\n".join(lines) + "\n")
    capsys.readouterr()
    assert main(["mdrp", "check", NAME, str(out)]) == 1
    assert "delivered 2 times" in capsys.readouterr().out


def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_instance(NAME, tmp_path / "bad")
    text = (folder / "couriers.txt").read_text().replace("\t90\n", "\tlate\n", 1)
    (folder / "couriers.txt").write_text(text)
    assert main(["mdrp", "run", str(folder), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "couriers.txt:2: column off_time: 'late'" in err[0]
    assert not (tmp_path / "x").exists()
    assert main(["mdrp", "bench", NAME, "--set", "max_bundle=0"]) == 2


def test_bench_prints_and_writes_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "bench.csv"
    assert main(["mdrp", "bench", NAME, "--csv", str(csv)]) == 0
    table = pd.read_csv(csv)
    assert list(table["policy"]) == ["fcfs", "rolling_horizon"]
    assert table["feasible"].all()
    assert "rolling_horizon" in capsys.readouterr().out
