"""Experiments that cross markets with networks, and the demand factor ``market.demand``."""

from __future__ import annotations

from pathlib import Path

import pytest

from o2osim.cli import main
from o2osim.experiment import load_experiment
from o2osim.runner import run_experiment

from helpers import ROOT

NETWORKS = ["direct_mail", "omnichannel_hub"]


def write(folder: Path, body: str, factors: str = "") -> Path:
    path = folder / "layouts.toml"
    path.write_text(
        "[experiment]\n"
        'name = "layouts"\n'
        f"{body}\n"
        "replications = 2\n"
        "seed = 5\n" + (f"[factors]\n{factors}\n" if factors else ""),
        encoding="utf-8",
    )
    return path


def test_a_market_crossed_with_networks_has_short_labels(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f'market = "wenzhou"\nnetworks = {NETWORKS!r}\nbaseline = "omnichannel_hub x 1.0 demand"',
        '"market.demand" = [0.5, 1, 2]',
    )
    experiment = load_experiment(path)
    labels = [v.label for v in experiment.variants]
    assert labels == [
        f"{network} x {factor} demand" for network in NETWORKS for factor in (0.5, 1.0, 2.0)
    ]
    assert experiment.baseline == "v004"
    for variant in experiment.variants:
        factor = dict(variant.factors)["market.demand"]
        assert variant.overrides == ()  # the factor scales the market, not a --set
        arrivals = [s.arrivals_per_day for s in variant.scenario.customers.segments]
        assert arrivals == [3000 * factor, 300 * factor]  # every segment's demand
    runs = experiment.runs()  # replication r: one seed in every layout
    assert len({r.seed for r in runs if r.replication == 0}) == 1


def test_markets_and_networks_by_path_relative_to_the_experiment(tmp_path: Path) -> None:
    market = ROOT / "configs" / "markets" / "wenzhou.toml"
    (tmp_path / "m.toml").write_text(market.read_text(encoding="utf-8"), encoding="utf-8")
    network = ROOT / "configs" / "networks" / "direct_mail.toml"
    text = network.read_text(encoding="utf-8").replace('name = "direct_mail"', 'name = "mail"')
    (tmp_path / "n.toml").write_text(text, encoding="utf-8")
    path = write(tmp_path, 'markets = ["m.toml"]\nnetworks = ["n.toml", "omnichannel_hub"]')
    experiment = load_experiment(path)
    assert [v.label for v in experiment.variants] == ["n", "omnichannel_hub"]
    assert [v.scenario.scenario.name for v in experiment.variants] == [
        "wenzhou_mail",
        "wenzhou_omnichannel_hub",
    ]


@pytest.mark.parametrize(
    ("body", "factors", "expected"),
    [
        (
            'market = "wenzhou"\nnetworks = ["direct_mial"]',
            "",
            "experiment.networks[0] = 'direct_mial': no such file",
        ),
        (
            'market = "wenzhou"',
            "",
            "experiment.networks: give the networks (layouts)",
        ),
        (
            'scenario = "wenzhou_baseline"\nnetworks = ["direct_mail"]',
            "",
            "experiment.scenario = 'wenzhou_baseline': give either scenario(s) or market(s)",
        ),
        (
            'market = "wenzhou"\nmarkets = ["wenzhou"]\nnetworks = ["direct_mail"]',
            "",
            "experiment.markets = ['wenzhou']: give exactly one of experiment.market",
        ),
        (
            'market = "wenzhou"\nnetworks = ["direct_mail"]',
            '"market.demand" = [1, 0]',
            'factors."market.demand" = 0: a demand factor is a number > 0',
        ),
        (
            'scenario = "wenzhou_baseline"',
            '"market.arrivals" = [1, 2]',
            'factors."market.arrivals" = [1, 2]: the only market factor is market.demand',
        ),
    ],
)
def test_bad_layout_experiments_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, factors: str, expected: str
) -> None:
    path = write(tmp_path, body, factors)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and expected in err, err
    assert not (tmp_path / "out").exists()


def test_the_demand_factor_works_on_a_scenario_file_too(tmp_path: Path) -> None:
    path = write(tmp_path, 'scenario = "wenzhou_baseline"', '"market.demand" = [1, 1.5]')
    variants = load_experiment(path).variants
    assert [v.label for v in variants] == ["x 1.0 demand", "x 1.5 demand"]
    assert variants[1].scenario.customers.segments[0].arrivals_per_day == 9000


def test_a_short_layout_sweep_runs(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'market = "wenzhou"\nnetworks = ["direct_mail", "instant_delivery"]\n'
        'horizon = "1d"\nwarmup = "2h"',
        '"market.demand" = [0.1]',
    )
    out = run_experiment(load_experiment(path), tmp_path / "out", workers=1, report=False)
    assert (out / "summary.csv").is_file()
    assert sorted(p.name for p in (out / "runs").iterdir()) == ["v000", "v001"]
