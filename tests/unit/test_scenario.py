"""Property-based tests of durations, scenario validation, overrides and dumps."""

from __future__ import annotations

import copy
import json
import math
import tomllib
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from o2osim.profiles import HOURLY_PROFILES
from o2osim.scenario import (
    Scenario,
    ScenarioError,
    dump_scenario,
    load_scenario,
    scenario_from_dict,
)
from o2osim.units import UNIT_MINUTES, format_duration, parse_duration

from helpers import BASELINE

BASE: dict[str, Any] = tomllib.loads(BASELINE.read_text(encoding="utf-8"))

FAST = settings(max_examples=50, deadline=None)
UNITS = tuple(UNIT_MINUTES)


def reload(scenario: Scenario) -> Scenario:
    """Dump to TOML text and load it back, as ``scenario.toml`` in a results folder is."""
    return scenario_from_dict(tomllib.loads(dump_scenario(scenario)), source="<dump>")


def inline(value: Any) -> str:
    """A value as TOML source on one line, for ``--set key=value``."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def put(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``data`` with ``value`` at the dotted ``path`` (list entries by index)."""
    data = copy.deepcopy(data)
    *head, last = path.split(".")
    node: Any = data
    for part in head:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    node[int(last) if isinstance(node, list) else last] = value
    return data


# ---------------------------------------------------------------- strategies

#: Durations as people write them: a whole number and a unit.
whole_durations = st.builds("{}{}".format, st.integers(0, 10**6), st.sampled_from(UNITS))
positive_durations = st.builds("{}{}".format, st.integers(1, 10**6), st.sampled_from(UNITS))
cvs = st.floats(min_value=0, max_value=10)


def _sorted_durations(n: int) -> st.SearchStrategy[list[str]]:
    return st.lists(whole_durations, min_size=n, max_size=n).map(
        lambda xs: sorted(xs, key=parse_duration)
    )


def time_dists() -> st.SearchStrategy[dict[str, Any]]:
    """Any of the seven time distributions, with valid parameters."""
    return st.one_of(
        st.builds(lambda m: {"dist": "exponential", "mean": m}, positive_durations),
        st.builds(lambda v: {"dist": "deterministic", "value": v}, whole_durations),
        st.builds(lambda m, c: {"dist": "lognormal", "mean": m, "cv": c}, positive_durations, cvs),
        st.builds(lambda m, c: {"dist": "gamma", "mean": m, "cv": c}, positive_durations, cvs),
        _sorted_durations(2).map(lambda x: {"dist": "uniform", "low": x[0], "high": x[1]}),
        _sorted_durations(3)
        .filter(lambda x: parse_duration(x[0]) < parse_duration(x[2]))
        .map(lambda x: {"dist": "triangular", "low": x[0], "mode": x[1], "high": x[2]}),
        st.lists(whole_durations, min_size=1, max_size=12).map(
            lambda xs: {"dist": "empirical", "values": xs}
        ),
    )


finite_minutes = st.floats(min_value=0, allow_nan=False, allow_infinity=False)
not_durations = st.one_of(st.integers(), st.floats(), st.booleans(), st.integers(0, 10**6).map(str))


# ---------------------------------------------------------------- units


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)


@FAST
@given(st.one_of(st.just(0.0), st.floats(min_value=1000 / 60, allow_infinity=False)))
def test_format_then_parse_round_trips_from_1000_seconds(minutes: float) -> None:
    assert _close(parse_duration(format_duration(minutes)), minutes)


@FAST
@given(finite_minutes)
@example(1e-10)
@example((1 + 5e-7) / 60)
def test_format_then_parse_round_trips_for_any_finite_minutes(minutes: float) -> None:
    assert _close(parse_duration(format_duration(minutes)), minutes)


@FAST
@given(st.integers(0, 10**12), st.sampled_from(UNITS))
def test_whole_numbers_of_a_unit_survive_format_exactly(count: int, unit: str) -> None:
    minutes = parse_duration(f"{count}{unit}")
    assert parse_duration(format_duration(minutes)) == minutes


@FAST
@given(st.integers(0, 10**6), st.sampled_from(UNITS))
def test_parse_knows_each_unit(count: int, unit: str) -> None:
    assert _close(parse_duration(f" {count} {unit} "), count * UNIT_MINUTES[unit])


@FAST
@given(not_durations)
def test_a_bare_number_or_bool_is_not_a_duration(value: Any) -> None:
    with pytest.raises(ValueError, match="unit"):
        parse_duration(value)


DURATION_KEYS = (
    "scenario.horizon",
    "scenario.warmup",
    "warehouse.pick_time.mean",
    "warehouse.replenishment.review",
    "channels.online_delivery.promise",
    "couriers.handover_time.low",
    "recorder.resource_interval",
)


@FAST
@given(st.sampled_from(DURATION_KEYS), not_durations)
def test_a_bare_number_or_bool_in_a_scenario_names_the_key(key: str, value: Any) -> None:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(put(BASE, key, value), source="bad.toml")
    message = str(info.value)
    assert message.startswith(f"bad.toml: {key} = ")
    assert "unit" in message
    assert "\n" not in message


# ---------------------------------------------------------------- dumps


def test_baseline_dump_reloads_equal() -> None:
    baseline = load_scenario(BASELINE)
    again = reload(baseline)
    assert again == baseline
    assert dump_scenario(again) == dump_scenario(baseline)


@FAST
@given(
    pickers=st.integers(1, 200),
    riders=st.integers(1, 2000),
    inspection_rate=st.floats(min_value=0, max_value=1),
    arrivals=st.floats(min_value=0, max_value=1e6),
    horizon_days=st.integers(8, 400),
    pick_time=time_dists(),
    handover_time=time_dists(),
)
def test_dump_reloads_equal_after_random_valid_overrides(
    pickers: int,
    riders: int,
    inspection_rate: float,
    arrivals: float,
    horizon_days: int,
    pick_time: dict[str, Any],
    handover_time: dict[str, Any],
) -> None:
    scenario = scenario_from_dict(
        BASE,
        overrides=[
            f"warehouse.pickers={pickers}",
            f"couriers.riders={riders}",
            f"customs.inspection_rate={inline(inspection_rate)}",
            f"customers.segments.resident.arrivals_per_day={inline(arrivals)}",
            f'scenario.horizon="{horizon_days}d"',
            f"warehouse.pick_time={inline(pick_time)}",
            f"couriers.handover_time={inline(handover_time)}",
        ],
    )
    assert scenario.warehouse.pickers == pickers
    assert scenario.customs.inspection_rate == inspection_rate
    assert scenario.warehouse.pick_time.dist == pick_time["dist"]
    assert reload(scenario) == scenario


def test_dump_reloads_equal_for_decimal_hours() -> None:
    scenario = scenario_from_dict(BASE, overrides=['warehouse.pick_time.mean="0.03h"'])
    assert reload(scenario) == scenario


# ---------------------------------------------------------------- validation

PROBABILITY_KEYS = ("customs.inspection_rate", "customs.tax_rate")
not_probabilities = st.one_of(
    st.floats(max_value=0, exclude_max=True),
    st.floats(min_value=1, exclude_min=True),
    st.just(math.nan),
)


@FAST
@given(st.sampled_from(PROBABILITY_KEYS), not_probabilities)
def test_a_probability_outside_0_1_names_the_key(key: str, value: float) -> None:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(put(BASE, key, value), source="bad.toml")
    assert str(info.value).startswith(f"bad.toml: {key} = ")


@FAST
@given(st.sampled_from(PROBABILITY_KEYS), not_probabilities)
def test_a_probability_outside_0_1_from_set_names_the_override(key: str, value: float) -> None:
    item = f"{key}={inline(value)}"
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(BASE, source="base.toml", overrides=[item])
    assert str(info.value).startswith(f"base.toml: --set {item}: {key} = ")


@FAST
@given(st.sampled_from(PROBABILITY_KEYS), st.floats(min_value=0, max_value=1))
def test_a_probability_inside_0_1_is_kept(key: str, value: float) -> None:
    scenario = scenario_from_dict(put(BASE, key, value))
    section, name = key.split(".")
    assert getattr(getattr(scenario, section), name) == value


KNOWN_GAPS = {
    "bool-as-count": ("warehouse.pickers", True),
    "bool-as-probability": ("customs.inspection_rate", True),
    "string-as-count": ("catalogue.skus", "3000"),
    "string-as-bool": ("warehouse.unlimited_stock", "yes"),
    "infinite-price-mean": ("catalogue.price_cny", {"dist": "exponential", "mean": math.inf}),
    "infinite-uniform-high": (
        "customers.segments.0.distance_km",
        {"dist": "uniform", "low": 1.0, "high": math.inf},
    ),
}


@pytest.mark.parametrize(("key", "value"), list(KNOWN_GAPS.values()), ids=list(KNOWN_GAPS))
def test_known_gaps_are_rejected(key: str, value: Any) -> None:
    with pytest.raises(ScenarioError, match=key.replace(".0.", r"\[0\]\.")):
        scenario_from_dict(put(BASE, key, value))


# ---------------------------------------------------------------- overrides

TWO_SEGMENTS = put(
    BASE,
    "customers.segments",
    [
        *BASE["customers"]["segments"],
        {
            "name": "tourist",
            "arrivals_per_day": 300,
            "channels": ["online_delivery"],
            "distance_km": {"dist": "gamma", "mean": 12.0, "cv": 0.4},
        },
    ],
)
segment_settings = st.one_of(
    st.tuples(st.just("arrivals_per_day"), st.floats(min_value=0, max_value=1e6).map(inline)),
    st.tuples(st.just("hourly_profile"), st.sampled_from(sorted(HOURLY_PROFILES)).map(inline)),
    st.tuples(st.just("distance_km.cv"), cvs.map(inline)),
    st.tuples(st.just("distance_km"), st.just('{ dist = "uniform", low = 1.0, high = 9.5 }')),
)


@FAST
@given(st.sampled_from([(0, "resident"), (1, "tourist")]), segment_settings)
def test_overrides_by_index_and_by_name_agree(
    segment: tuple[int, str], setting: tuple[str, str]
) -> None:
    (index, name), (key, text) = segment, setting
    by_index = scenario_from_dict(
        TWO_SEGMENTS, overrides=[f"customers.segments[{index}].{key}={text}"]
    )
    by_name = scenario_from_dict(
        TWO_SEGMENTS, overrides=[f"customers.segments.{name}.{key}={text}"]
    )
    assert by_index == by_name
    untouched = 1 - index
    assert (
        by_index.customers.segments[untouched]
        == scenario_from_dict(TWO_SEGMENTS).customers.segments[untouched]
    )


def test_the_readme_override_examples_agree() -> None:
    by_name = scenario_from_dict(
        BASE, overrides=["customers.segments.resident.arrivals_per_day=500"]
    )
    by_index = scenario_from_dict(BASE, overrides=["customers.segments[0].arrivals_per_day=500"])
    assert by_name == by_index
    assert by_name.customers.segments[0].arrivals_per_day == 500


def test_overrides_leave_the_raw_dict_alone() -> None:
    before = copy.deepcopy(BASE)
    scenario_from_dict(BASE, overrides=["warehouse.pickers=99", 'customers.segments[0].name="x"'])
    assert before == BASE
