"""``[selection]`` in ``o2osim sweep``: KN picks the Erlang C best and runs more
replications only for the variants still in contention (M/M/c pickers, 3 orders/min)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from o2osim.cli import main
from o2osim.scenario import dump_scenario
from o2osim.theory import mmc_mean_wait

from helpers import stripped

PICKERS = [4, 6, 7]


def test_sweep_selects_the_best_variant_with_its_guarantee(tmp_path: Path) -> None:
    scenario = stripped(["pick"], 3.0, horizon="1d", warmup="2h")
    (tmp_path / "mmc.toml").write_text(dump_scenario(scenario), encoding="utf-8")
    (tmp_path / "exp.toml").write_text(
        '[experiment]\nname = "pick_select"\nscenario = "mmc.toml"\nreplications = 5\n'
        "seed = 11\n"
        'report_kpis = ["resource/pick/mean_wait"]\n\n'
        f'[factors]\n"warehouse.pickers" = {PICKERS}\n\n'
        '[selection]\nkpi = "resource/pick/mean_wait"\ndirection = "minimize"\n'
        "alpha = 0.05\ndelta = 0.05\nmax_replications = 60\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert (
        main(["sweep", str(tmp_path / "exp.toml"), "--out", str(out), "--workers", "1", "--quiet"])
        == 0
    )
    best = min(PICKERS, key=lambda c: mmc_mean_wait(3.0, 1.0, c))
    report = (out / "report.md").read_text()
    assert f"**Selected: `pickers={best}`.**" in report
    assert "With probability at least 95%" in report
    runs = {p.parent.name: len(list(p.parent.glob("rep-*"))) for p in out.glob("runs/*/rep-000")}
    labels = pd.read_csv(out / "variants.csv").set_index("label")["variant"]
    # KN's screening is driven by the variance of differences: the close but steady pair
    # (6, 7) is told apart after the first stage, the noisy c = 4 needs more runs.
    assert runs[labels["pickers=6"]] == 5
    assert runs[labels["pickers=4"]] > 5
    assert runs[labels[f"pickers={best}"]] == max(runs.values())
