"""``o2osim run`` on an overloaded layout says so in one warning line, and the folder keeps
the verdict (kpis.csv's overall/all/unstable, the manifest's reasons) through ``report``."""

from __future__ import annotations

import json

import pandas as pd

from o2osim.cli import main
from o2osim.scenario import dump_scenario

from helpers import stripped


def test_an_unstable_run_prints_one_warning_line_and_keeps_the_flag(tmp_path, capsys):
    # Four pickers at exponential 1 min per order, 4.8 orders a minute: rho = 1.2.
    scenario = stripped(
        ["pick", "deliver"], per_minute=4.8, horizon="2d", warmup="12h", couriers={"riders": 100}
    )
    path = tmp_path / "overloaded.toml"
    path.write_text(dump_scenario(scenario), encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(path), "--out", str(out), "--no-charts", "--quiet"]) == 0
    err = capsys.readouterr().err.splitlines()
    warned = [line for line in err if line.startswith("o2osim: warning:")]
    assert len(warned) == 1, err
    assert warned[0].startswith(
        "o2osim: warning: textbook (seed 1) looks unstable: resource pick: queue never empty"
    )
    assert "utilisation 1.000" in warned[0]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["unstable"] == [warned[0].split("looks unstable: ", 1)[1]]
    kpis = pd.read_csv(out / "kpis.csv")
    flag = kpis[(kpis["group"] == "overall") & (kpis["kpi"] == "unstable")]["value"]
    assert flag.tolist() == [1.0]
    # The verdict is a function of the folder's tables: report computes the same kpis.csv.
    before = (out / "kpis.csv").read_bytes()
    assert main(["report", str(out)]) == 0
    assert (out / "kpis.csv").read_bytes() == before
