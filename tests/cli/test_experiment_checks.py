"""Experiment files are checked when loaded, before any folder is made (issue 12).

Each mistake is one line on stderr, exit status 2, naming the experiment file's
key path (``factors."scenario.seed"``, ``experiment.report_kpis[0]``, ...), and
no results folder. The KPI catalogue that ``report_kpis`` is checked against is
compared with what the bundled scenarios really produce.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from o2osim.api import simulate
from o2osim.bundled import BUNDLED, bundled_scenarios, resolve_scenario_path
from o2osim.cli import main
from o2osim.experiment import load_experiment
from o2osim.kpi_catalogue import CATALOGUE, check_report_kpi
from o2osim.scenario import dump_scenario, load_scenario
from o2osim.validation import textbook_scenario

from helpers import ROOT

HEAD = """[experiment]
name = "t"
scenario = "tiny.toml"
replications = 2
horizon = "6h"
warmup = "1h"
"""

#: case -> (experiment file text, text the one-line message must hold)
MISTAKES = {
    "factor_on_the_seed": (
        HEAD + '[factors]\n"scenario.seed" = [1, 2]\n',
        ['factors."scenario.seed"', "experiment.seed"],
    ),
    "zip_unequal_lengths": (
        HEAD + 'design = "zip"\n[factors]\n"warehouse.pickers" = [1, 2]\n'
        '"warehouse.packers" = [1, 2, 3]\n',
        ['factors."warehouse.packers"', "has 2 values", "has 3"],
    ),
    "zip_empty_list": (
        HEAD + 'design = "zip"\n[factors]\n"warehouse.pickers" = []\n',
        ['factors."warehouse.pickers" = []', "at least one value"],
    ),
    "unknown_baseline": (
        HEAD + 'baseline = "nope"\n[factors]\n"warehouse.pickers" = [1, 2]\n',
        ["experiment.baseline = 'nope'", "pickers=1, pickers=2"],
    ),
    "report_kpi_format": (
        HEAD + 'report_kpis = ["overall/fill_rate"]\n',
        ["experiment.report_kpis[0] = 'overall/fill_rate'", "group/name/kpi"],
    ),
    "report_kpi_group": (
        HEAD + 'report_kpis = ["overall/all/fill_rate", "overal/all/x"]\n',
        ["experiment.report_kpis[1]", "did you mean 'overall'"],
    ),
    "report_kpi_name": (
        HEAD + 'report_kpis = ["resource/pik/mean_wait"]\n',
        ["experiment.report_kpis[0]", "no resource named 'pik'", "pick, pack"],
    ),
    "report_kpi_kpi": (
        HEAD + 'report_kpis = ["overall/all/fil_rate"]\n',
        ["experiment.report_kpis[0]", "did you mean 'fill_rate'"],
    ),
    "report_kpis_not_a_list": (
        HEAD + 'report_kpis = "overall/all/fill_rate"\n',
        ["experiment.report_kpis = ", "give a list"],
    ),
    "one_replication": (
        HEAD.replace("replications = 2", "replications = 1"),
        ["experiment.replications = 1", "at least 2", "confidence interval"],
    ),
    "warmup_past_horizon": (
        HEAD.replace('warmup = "1h"', 'warmup = "7h"'),
        ["experiment.warmup = '7h'", "experiment.horizon (6h)"],
    ),
    "negative_horizon": (HEAD.replace('"6h"', '"-1d"'), ["experiment.horizon = '-1d'", "negative"]),
    "horizon_shorter_than_scenario_warmup": (
        HEAD.replace('"tiny.toml"', '"wenzhou_baseline"').replace('warmup = "1h"\n', ""),
        ["experiment.horizon = '6h'", "scenario.warmup is 7d", "experiment.warmup"],
    ),
    "horizon_over_the_cap": (
        HEAD.replace('"6h"', '"200000d"'),
        ["experiment.horizon = '200000d'", "at most"],
    ),
    "factors_under_experiment": (
        HEAD + "factors = 3\n",
        ["experiment.factors", "[factors] header"],
    ),
    "factor_not_a_list": (
        HEAD + '[factors]\n"warehouse.pickers" = 3\n',
        ['factors."warehouse.pickers" = 3', "list"],
    ),
    "factor_key_unquoted": (
        HEAD + "[factors]\nwarehouse.pickers = [3, 4]\n",
        ["factors.warehouse", "quote"],
    ),
    "experiment_not_a_table": ("experiment = 3\n", ["experiment = 3", "table"]),
    "factor_unknown_key": (
        HEAD + '[factors]\n"warehouse.pikers" = [1, 2]\n',
        ['factors."warehouse.pikers"', "did you mean 'pickers'"],
    ),
    "factor_value_twice": (
        HEAD + '[factors]\n"warehouse.pickers" = [2, 2]\n',
        ['factors."warehouse.pickers"', "listed twice"],
    ),
    "no_such_scenario": (
        HEAD.replace('"tiny.toml"', '"nothere"'),
        ["experiment.scenario = 'nothere'", "wenzhou_baseline"],
    ),
    "scenario_and_scenarios": (
        HEAD + 'scenarios = ["tiny.toml"]\n',
        ["experiment.scenarios", "exactly one"],
    ),
}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A scratch folder holding a small scenario, as the current folder."""
    scenario = textbook_scenario(["pick", "pack"], 1.0)
    (tmp_path / "tiny.toml").write_text(dump_scenario(scenario))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("case", list(MISTAKES))
def test_experiment_mistake_is_one_line_and_no_folder(case, folder, capsys):
    text, expected = MISTAKES[case]
    (folder / "exp.toml").write_text(text)
    assert main(["sweep", "exp.toml", "--out", "DIR", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("o2osim: error: exp.toml: "), err
    for part in expected:
        assert part in err, (part, err)
    assert "--set" not in err and "<overrides>" not in err  # the user typed no --set
    assert not (folder / "DIR").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["exp.toml", "tiny.toml"]


def test_bundled_scenario_names_are_accepted(folder):
    (folder / "exp.toml").write_text(
        HEAD.replace(
            'scenario = "tiny.toml"', 'scenarios = ["wenzhou_baseline", "sams_speed_delivery"]'
        )
    )
    experiment = load_experiment(folder / "exp.toml")
    assert [v.scenario.scenario.name for v in experiment.variants] == [
        "wenzhou_baseline",
        "sams_speed_delivery",
    ]
    assert experiment.variants[0].scenario.scenario.horizon == 6 * 60


def test_a_path_is_a_path_before_a_bundled_name(folder):
    (folder / "wenzhou_baseline").write_text(dump_scenario(textbook_scenario(["pick"], 1.0)))
    assert resolve_scenario_path("wenzhou_baseline") == Path("wenzhou_baseline")
    assert resolve_scenario_path("nothere") == Path("nothere")
    assert resolve_scenario_path("sams_speed_delivery") == BUNDLED / "sams_speed_delivery.toml"


def test_shipped_experiments_pass_their_checks():
    for path in sorted((ROOT / "experiments").glob("*.toml")):
        assert load_experiment(path).variants


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda p: p.stem)
def test_every_kpi_a_bundled_scenario_produces_is_in_the_catalogue(path):
    airport = "airport" in path.stem  # a counted departure day needs the 72 h window
    scenario = load_scenario(
        path,
        ['scenario.horizon="5d"', 'scenario.warmup="4d"']
        if airport
        else ['scenario.horizon="2d"', 'scenario.warmup="1d"'],
    )
    kpis = simulate(scenario).kpis
    assert set(kpis["group"]) <= set(CATALOGUE)
    problems = [
        f"{g}/{n}/{k}: {why}"
        for g, n, k in kpis[["group", "name", "kpi"]].itertuples(index=False)
        if (why := check_report_kpi(f"{g}/{n}/{k}", [scenario]))
    ]
    assert not problems, problems[:5]


@settings(max_examples=80, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.integers(),
        st.none(),
        st.lists(st.text(max_size=5), max_size=3),
        st.tuples(
            st.sampled_from([*CATALOGUE, "x"]), st.text(max_size=8), st.text(max_size=12)
        ).map("/".join),
    )
)
def test_any_report_kpi_gets_an_answer_not_a_crash(key):
    scenario = textbook_scenario(["pick", "pack"], 1.0)
    answer = check_report_kpi(key, [scenario])
    assert answer is None or (isinstance(answer, str) and "\n" not in answer)
