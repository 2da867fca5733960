"""Malformed values in a scenario file: one line on stderr, exit status 2, no results folder,
no traceback.

Each case derives a scenario file from the bundled baseline (load with tomllib,
mutate the dict, write with tomli_w), then runs ``o2osim run FILE --out DIR --quiet``
in-process. Files that are not scenarios, bad flags and the real console script are
in test_bad_files_and_flags.py.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from o2osim.scenario import load_scenario

from bad_scenarios import Case, check_bad_scenario, drop, put, rename, write_case
from helpers import BASELINE

CASES = {
    # wrong types
    "pickers-is-a-word": Case(
        ("warehouse.pickers = 'twelve'", "valid integer"), put("warehouse.pickers", "twelve")
    ),
    "speed-is-a-word": Case(
        ("couriers.speed_kmh = 'fast'", "valid number"), put("couriers.speed_kmh", "fast")
    ),
    "pick-time-is-a-string": Case(
        ("warehouse.pick_time = '45s'", "dictionary"), put("warehouse.pick_time", "45s")
    ),
    "route-is-a-string": Case(
        ("channels.online_delivery.route = 'reserve'", "valid list"),
        put("channels.online_delivery.route", "reserve"),
    ),
    # capacities and counts
    "pickers-negative": Case(
        ("warehouse.pickers = -3", "greater than or equal to 1"), put("warehouse.pickers", -3)
    ),
    "riders-zero": Case(
        ("couriers.riders = 0", "greater than or equal to 1"), put("couriers.riders", 0)
    ),
    "catalogue-empty": Case(
        ("catalogue.skus = 0", "greater than or equal to 1"), put("catalogue.skus", 0)
    ),
    # probabilities
    "inspection-rate-above-one": Case(
        ("customs.inspection_rate = 1.5", "less than or equal to 1"),
        put("customs.inspection_rate", 1.5),
    ),
    "tax-rate-negative": Case(
        ("customs.tax_rate = -0.1", "greater than or equal to 0"), put("customs.tax_rate", -0.1)
    ),
    # durations
    "pick-time-mean-without-unit": Case(
        ("warehouse.pick_time.mean = 45", "needs a unit", '"90s"'),
        put("warehouse.pick_time.mean", 45),
    ),
    "horizon-without-unit": Case(
        ("scenario.horizon = 28", "needs a unit"), put("scenario.horizon", 28)
    ),
    "horizon-is-a-bool": Case(
        ("scenario.horizon = True", "needs a unit"), put("scenario.horizon", True)
    ),
    "horizon-malformed": Case(
        ("scenario.horizon = '5 minutes'", "not a duration", "s, min, h, d"),
        put("scenario.horizon", "5 minutes"),
    ),
    "horizon-shorter-than-warmup": Case(
        ("scenario.warmup = '7d'", "shorter than scenario.horizon (5d)"),
        put("scenario.horizon", "5d"),
    ),
    # unknown and missing keys
    "unknown-top-level-table": Case(
        ("warehose: unknown key", "did you mean 'warehouse'?", "allowed here: scenario,"),
        rename("warehouse", "warehose"),
    ),
    "extra-top-level-table": Case(
        ("reporting: unknown key (allowed here: scenario, customers",),
        put("reporting", {"charts": True}),
    ),
    "unknown-nested-key": Case(
        ("warehouse.pickrs: unknown key", "did you mean 'pickers'?", "allowed here: pickers,"),
        rename("warehouse.pickers", "pickrs"),
    ),
    "unknown-key-in-list-entry": Case(
        ("customers.segments[0].arrivals_per_dya: unknown key", "did you mean 'arrivals_per_day'?"),
        rename("customers.segments.0.arrivals_per_day", "arrivals_per_dya"),
    ),
    "unknown-key-in-distribution": Case(
        ("warehouse.pick_time.cvv: unknown key", "did you mean 'cv'?"),
        rename("warehouse.pick_time.cv", "cvv"),
    ),
    "unknown-key-in-inline-table": Case(
        ("warehouse.replenishment.reveiw: unknown key", "did you mean 'review'?"),
        rename("warehouse.replenishment.review", "reveiw"),
    ),
    "unknown-key-with-line-break": Case(
        ('warehouse."pick\\nrs": unknown key',), put("warehouse.pick\nrs", 3)
    ),
    "required-key-missing": Case(
        ("couriers.riders: required key is missing",), drop("couriers.riders")
    ),
    # distribution parameters
    "lognormal-cv-negative": Case(
        ("warehouse.pick_time = ", "lognormal cv must be between 0 and 10 (got -0.5)"),
        put("warehouse.pick_time.cv", -0.5),
    ),
    "uniform-low-above-high": Case(
        ("warehouse.pick_time = ", "uniform needs 0 <= low <= high", "low=2.0, high=1.0"),
        put("warehouse.pick_time", {"dist": "uniform", "low": "2min", "high": "1min"}),
    ),
    "triangular-mode-above-high": Case(
        ("couriers.handover_time = ", "low <= mode <= high", "mode=9.0"),
        put("couriers.handover_time.mode", "9min"),
    ),
    "triangular-mode-below-low": Case(
        ("couriers.handover_time = ", "low <= mode <= high", "mode=0.5"),
        put("couriers.handover_time.mode", "30s"),
    ),
    "unknown-distribution": Case(
        ("warehouse.pick_time = ", "dist must be one of: exponential,", "empirical"),
        put("warehouse.pick_time", {"dist": "weibull", "mean": "45s", "shape": 1.5}),
    ),
    "empirical-without-values": Case(
        ("warehouse.pick_time.values = []", "at least 1 item"),
        put("warehouse.pick_time", {"dist": "empirical", "values": []}),
    ),
    "empirical-values-without-unit": Case(
        ("warehouse.pick_time.values[0] = 40", "needs a unit"),
        put("warehouse.pick_time", {"dist": "empirical", "values": [40, 50]}),
    ),
    "distance-mean-with-unit": Case(
        ("customers.segments[0].distance_km.mean = '4km'", "valid number"),
        put("customers.segments.0.distance_km.mean", "4km"),
    ),
    # cross references and routes
    "segment-uses-undefined-channel": Case(
        (
            "customers.segments[0].channels = 'online_delivry'",
            "channel 'online_delivry' is not defined",
            "defined: online_delivery",
        ),
        put("customers.segments.0.channels", ["online_delivry"]),
    ),
    "route-unknown-stage": Case(
        ("channels.online_delivery.route[1] = 'teleport'", "'reserve', 'customs'"),
        put("channels.online_delivery.route", ["reserve", "teleport", "deliver"]),
    ),
    "route-out-of-order": Case(
        (
            "channels.online_delivery = ",
            "in the order reserve -> customs -> pick -> pack",
            "(got reserve -> pick -> customs)",
        ),
        put("channels.online_delivery.route", ["reserve", "pick", "customs"]),
    ),
    "replenishment-levels-reversed": Case(
        ("warehouse.replenishment = ", "order_up_to_days (3.0) must exceed reorder_point_days"),
        put("warehouse.replenishment.order_up_to_days", 3),
    ),
    # the bonded layout's tables
    "route-needs-a-store": Case(
        ("channels.online_delivery.route = 'store_visit'", "needs a [[stores]] table"),
        put("channels.online_delivery.route", ["store_visit", "reserve"]),
    ),
    "route-with-two-hand-overs": Case(
        ("a route ends at one of collect, deliver, regional, courier", "(got deliver, regional)"),
        put("channels.online_delivery.route", ["reserve", "deliver", "regional"]),
    ),
    "allocation-priority-unknown-channel": Case(
        ("warehouse.allocation.priority = 'store'", "channel 'store' is not defined"),
        put("warehouse.allocation", {"policy": "channel_priority", "priority": ["store"]}),
    ),
    "replenishment-mode-undefined": Case(
        ("warehouse.replenishment.mode = 'air'", "not defined under warehouse.replenishment.modes"),
        put("warehouse.replenishment.mode", "air"),
    ),
    "r_Q-without-quantity": Case(
        ("warehouse.replenishment = ", "policy r_Q needs order_quantity_days"),
        put("warehouse.replenishment.policy", "r_Q"),
    ),
    "cut-off-beyond-a-day": Case(
        ("warehouse.regional.cutoffs = ['26h']", "times of day, shorter than 1d"),
        put("warehouse.regional", {"cutoffs": ["26h"]}),
    ),
    "population-zero": Case(
        ("customers.segments[0].population = 0", "greater than or equal to 1"),
        put("customers.segments.0.population", 0),
    ),
    # couriers, depots, promises
    "dispatch-policy-unknown": Case(
        (
            "couriers.dispatch = 'zigzag'",
            "unknown dispatch policy",
            "allowed: fcfs, batch, nearest_neighbour",
        ),
        put("couriers.dispatch", "zigzag"),
    ),
    "fcfs-with-capacity": Case(
        ("couriers.capacity = 3", "'fcfs' sends one order per trip"), put("couriers.capacity", 3)
    ),
    "shift-riders-do-not-add-up": Case(
        ("couriers.shifts: the shifts have 100 riders in all, but couriers.riders = 240",),
        put("couriers.shifts", [{"start": "08:00", "end": "16:00", "riders": 100}]),
    ),
    "shift-start-is-not-a-clock-time": Case(
        ("couriers.shifts[0].start = '8h'", 'a time of day is written "HH:MM"'),
        put("couriers.shifts", [{"start": "8h", "end": "16:00", "riders": 240}]),
    ),
    "fleet-depot-unknown": Case(
        ("couriers.depot = 'harbour'", "no depot of that name; depots: warehouse"),
        put("couriers.depot", "harbour"),
    ),
    "channel-fleet-unknown": Case(
        ("channels.online_delivery.fleet = 'drones'", "fleets: couriers"),
        put("channels.online_delivery.fleet", "drones"),
    ),
    "front-pick-at-the-bonded-warehouse": Case(
        ("channels.online_delivery.route = ", "'front_pick' picks at a front warehouse"),
        put("channels.online_delivery.route", ["reserve", "front_pick", "deliver"]),
    ),
    "hold-without-slots": Case(
        ("channels.online_delivery.route = ", "'hold' needs slots"),
        put("channels.online_delivery.route", ["reserve", "pick", "hold", "deliver"]),
    ),
    "two-promises": Case(
        (
            "channels.online_delivery: a channel needs exactly one promise",
            "(got promise, next_day)",
        ),
        put("channels.online_delivery.next_day", {"by": "21:00"}),
    ),
    "traffic-profile-unknown": Case(
        ("city.traffic_profile = 'rushhour'", "allowed: free, city"),
        put("city", {"traffic_profile": "rushhour"}),
    ),
    "speed-distribution-reaches-zero": Case(
        ("couriers.speed_kmh = ", "must not reach 0 km/h"),
        put("couriers.speed_kmh", {"dist": "uniform", "low": 0.0, "high": 20.0}),
    ),
    "segment-around-unknown-depot": Case(
        ("customers.segments[0].around = 'moon'", "no depot of that name"),
        put("customers.segments.0.around", "moon"),
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_bad_scenario_gives_one_line_and_status_2(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check_bad_scenario(case, tmp_path, capsys)


def test_cases_cover_at_least_eighteen_distinct_scenarios() -> None:
    assert len(CASES) >= 18


def test_the_unmutated_copy_is_a_valid_scenario(tmp_path: Path) -> None:
    """Each case fails because of its mutation, not because of the copy it starts from."""
    path = write_case(Case(expect=()), tmp_path)
    assert load_scenario(path) == load_scenario(BASELINE)


def test_every_mutated_case_is_still_valid_toml(tmp_path: Path) -> None:
    for name, case in CASES.items():
        if case.mutate is not None:
            (tmp_path / name).mkdir()
            tomllib.loads(write_case(case, tmp_path / name).read_text(encoding="utf-8"))
