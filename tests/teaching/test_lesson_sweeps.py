"""Experiments on a lesson: ``scenario = "lesson:NAME"`` and factors naming its decisions.

A decision factor expands to the scenario keys it stands for (the staffing list's
peak hours), variants get short labels (``peak_counters=5``), and a value outside the
decision's range is one line naming the factor, before anything runs.
"""

from __future__ import annotations

import pytest

from o2osim.experiment import load_experiment
from o2osim.lessons.airport import PEAK
from o2osim.scenario import ScenarioError

EXPERIMENT = """
[experiment]
name = "counters"
scenario = "lesson:airport_counters"
replications = 2
seed = 7
report_kpis = ["resource/pickup/mean_wait"]

[factors]
peak_counters = {peaks}
"customers.segments[0].arrivals_per_day" = [2000.0]
"""


def test_decision_factors_expand_to_the_staffing_list_with_short_labels(tmp_path):
    path = tmp_path / "counters.toml"
    path.write_text(EXPERIMENT.format(peaks="[4, 6]"))
    variants = load_experiment(path).variants
    assert [v.label for v in variants] == [
        "peak_counters=4 arrivals_per_day=2000.0",
        "peak_counters=6 arrivals_per_day=2000.0",
    ]
    for variant, peak in zip(variants, (4, 6), strict=True):
        airport = variant.scenario.airport
        assert airport is not None
        assert airport.staffing == [peak if h in PEAK else 2 for h in range(24)]
        assert variant.scenario.customers.segments[0].arrivals_per_day == 2000.0
        assert variant.scenario.scenario.name == "airport_counters"


@pytest.mark.parametrize(
    ("peaks", "message"),
    [("[4, 60]", "factors.peak_counters: value 60: outside its range; allowed: 1 to 10")],
)
def test_a_decision_out_of_range_is_one_line_naming_the_factor(tmp_path, peaks, message):
    path = tmp_path / "counters.toml"
    path.write_text(EXPERIMENT.format(peaks=peaks))
    with pytest.raises(ScenarioError, match=message):
        load_experiment(path)
    path.write_text(EXPERIMENT.format(peaks="[4]").replace("airport_counters", "airport"))
    with pytest.raises(ScenarioError, match=r"experiment\.scenario = 'lesson:airport'.*allowed"):
        load_experiment(path)
