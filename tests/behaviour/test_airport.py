"""Airport buy & pick up: counters against queueing theory, the order's invariants,
and the bundled Hongqiao scenario against the source paper.

Theory (docs/validation.md): in teaching mode (Poisson arrivals straight to the counters)
the counters are M/M/c with exponential service (Erlang C) and the face-ID check
alone at one counter is M/G/1 (Pollaczek-Khinchine). Each asserts the exact value
inside the 99% confidence interval of independent replications.

Paper (Li 2025 §2.1): Hongqiao's peak day exceeds
5,000 orders, the mean pickup takes about 90 s; the 99% confidence interval of
each must lie within 10% of those figures.
"""

from __future__ import annotations

import copy
import itertools
import math
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from o2osim import load_scenario, simulate
from o2osim.cli import main
from o2osim.facilities.airport import LOADING_POLICIES, flight_timetable
from o2osim.profiles import WEEKDAY_PROFILES, normalised
from o2osim.scenario import LineHaul, ScenarioError, scenario_from_dict
from o2osim.theory import mg1_mean_wait, mmc_mean_wait
from o2osim.units import DAY

from helpers import ROOT, confidence_interval, stripped

HONGQIAO = ROOT / "configs" / "shanghai_hongqiao_airport.toml"
HONGQIAO_RAW = tomllib.loads(HONGQIAO.read_text(encoding="utf-8"))
REPLICATIONS = 20
ZERO = {"dist": "deterministic", "value": "0s"}


def _teaching(per_minute: float, horizon: str = "5d", warmup: str = "12h", **airport: object):
    """Poisson arrivals at ``per_minute`` straight to the counters (route ["pickup"])."""
    return stripped(
        ["pickup"], per_minute=per_minute, horizon=horizon, warmup=warmup, airport=airport
    )


def _replicate(scenario, group: str, name: str, kpi: str, reps: int = REPLICATIONS) -> list:
    return [simulate(scenario, seed=seed).kpi(group, name, kpi) for seed in range(1, reps + 1)]


# ---------------------------------------------------------------- queueing theory
def test_counters_in_teaching_mode_are_erlang_c():
    # c = 3 counters, exponential 90 s per passenger (no ID check), 1.6 per min: rho = 0.8.
    scenario = _teaching(
        1.6, counters=3, id_check_time=ZERO, pickup_time={"dist": "exponential", "mean": "90s"}
    )
    waits = _replicate(scenario, "resource", "pickup", "mean_wait")
    low, high = confidence_interval(waits)
    exact = mmc_mean_wait(1.6, 1.5, 3)
    assert low <= exact <= high, f"Erlang C W_q={exact:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"


@pytest.mark.parametrize(
    "id_check",
    [
        {"dist": "deterministic", "value": "10s"},
        {"dist": "lognormal", "mean": "10s", "cv": 1.0},
    ],
    ids=["deterministic", "lognormal"],
)
def test_id_check_alone_is_pollaczek_khinchine(id_check):
    # One counter, face-ID only (no hand-over), mean 10 s, 4.2 passengers per min: rho = 0.7.
    scenario = _teaching(4.2, horizon="2d", counters=1, id_check_time=id_check, pickup_time=ZERO)
    waits = _replicate(scenario, "airport", "all", "counter_wait_mean")
    low, high = confidence_interval(waits)
    scv = id_check.get("cv", 0.0) ** 2
    exact = mg1_mean_wait(4.2, 10 / 60, scv)
    assert low <= exact <= high, f"P-K W_q={exact:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"


def test_staffing_by_hour_conserves_work():
    # 4 counters by day, 2 by night: busy counters average lambda E[S] = 1.0 whatever the
    # staffing, so utilisation = 1.0 / 3 open on average.
    staffing = [2] * 6 + [4] * 12 + [2] * 6
    scenario = _teaching(
        1.0,
        horizon="5d",
        warmup="1d",
        counters=4,
        staffing=staffing,
        id_check_time=ZERO,
        pickup_time={"dist": "exponential", "mean": "1min"},
    )
    results = [simulate(scenario, seed=seed) for seed in range(1, 11)]
    low, high = confidence_interval([r.kpi("resource", "pickup", "utilisation") for r in results])
    assert low <= 1 / 3 <= high
    assert results[0].kpi("resource", "pickup", "servers") == pytest.approx(3.0, rel=1e-12)
    # The snapshots show exactly the staffed counters in every hour.
    log = results[0].resources
    counters = log[log["resource"] == "pickup"]
    hour = ((counters["time"] % DAY) // 60).astype(int)
    assert (counters["servers"].to_numpy() == np.array(staffing)[hour]).all()


def test_littles_law_at_the_counters():
    scenario = _teaching(
        1.6,
        counters=3,
        id_check_time={"dist": "deterministic", "value": "10s"},
        pickup_time={"dist": "lognormal", "mean": "80s", "cv": 0.5},
    )
    result = simulate(scenario, seed=3)
    queue = result.kpi("resource", "pickup", "mean_queue")
    rate = result.kpi("resource", "pickup", "arrival_rate")
    assert queue == pytest.approx(rate * result.kpi("resource", "pickup", "mean_wait"), rel=0.01)


# ---------------------------------------------------------------- invariants
def _stressed() -> dict:
    """Hongqiao, squeezed so that both failure reasons happen often."""
    raw = copy.deepcopy(HONGQIAO_RAW)
    raw["scenario"].update(horizon="7d", warmup="3d")
    air = raw["airport"]
    air.update(
        counters=4,
        staffing=[min(s, 4) for s in air["staffing"]],
        last_call="40min",
        arrive_before={"dist": "lognormal", "mean": "75min", "cv": 0.5},
    )
    air["linehaul"].update(capacity=250, ship_within="8h")
    return raw


@pytest.fixture(scope="module")
def stressed():
    scenario = scenario_from_dict(_stressed())
    return scenario, simulate(scenario, seed=4)


def test_no_order_is_handed_over_before_staged_or_after_departure(stressed):
    _scenario, result = stressed
    orders = result.orders
    done = orders[orders["outcome"] == "collected"]
    assert len(done) > 10_000
    stamps = ["placed", "staged", "counter_queued", "counter_start", "id_checked", "collected"]
    for earlier, later in itertools.pairwise(stamps):
        assert (done[earlier] <= done[later]).all(), f"{later} before {earlier}"
    assert (done["collected"] <= done["departure"]).all()
    # A passenger queues only with the goods and themselves at the counter.
    assert (done["at_counter"] <= done["counter_queued"]).all()
    # Nothing but a collected order was handed over.
    assert orders.loc[orders["outcome"] != "collected", "collected"].isna().all()


def test_missed_orders_fail_for_their_recorded_reason(stressed):
    scenario, result = stressed
    air = scenario.airport
    orders = result.orders
    missed = orders[orders["outcome"] == "missed"]
    late = missed[missed["reason"] == "passenger_late"]
    unstaged = missed[missed["reason"] == "not_staged"]
    assert len(late) > 100 and len(unstaged) > 100
    assert len(late) + len(unstaged) == len(missed)
    # Not staged: failed exactly at the cut-off, with no goods on the shelf.
    assert unstaged["staged"].isna().all()
    np.testing.assert_allclose(unstaged["finished"], unstaged["departure"] - air.staging_cutoff)
    # Passenger late: reached the counter or still queued at the last call; never served.
    assert late["counter_start"].isna().all()
    assert (late["finished"] >= late["departure"] - air.last_call - 1e-9).all()
    assert (late["finished"] < late["departure"]).all()
    # Refund of the whole price; the KPI adds them up.
    np.testing.assert_allclose(
        missed["refund_cny"], missed["value_cny"] + missed["tax_cny"], atol=0.011
    )
    meta = scenario.scenario  # flights of the counted span; later ones fly in the drain
    counted = missed[(missed["departure"] >= meta.warmup) & (missed["departure"] < meta.horizon)]
    assert result.kpi("airport", "all", "refund_cny") == pytest.approx(counted["refund_cny"].sum())
    assert result.kpi("airport", "all", "missed") == len(counted)


def test_orders_follow_the_preorder_window_and_the_linehaul_rules(stressed):
    scenario, result = stressed
    air = scenario.airport
    orders = result.orders
    linked = orders[orders["departure"].notna()]
    lead = linked["departure"] - linked["placed"]
    assert (lead >= air.order_cutoff).all() and (lead <= air.preorder_window).all()
    assert (linked["at_counter"].dropna() <= linked["departure"].max()).all()
    # Every order linked to a flight of the flights table, and counted there.
    flights = result.flights
    np.testing.assert_array_equal(
        flights.loc[linked["flight"], "departure"].to_numpy(), linked["departure"].to_numpy()
    )
    # Trucks carry at most their capacity, never an order more than ship_within early,
    # and leave only at the scheduled times of day.
    ridden = linked[linked["linehaul_departed"].notna()]
    per_run = ridden.groupby("linehaul_departed").size()
    assert per_run.max() <= air.linehaul.capacity
    assert (ridden["departure"] - ridden["linehaul_departed"] <= air.linehaul.ship_within).all()
    minutes = per_run.index.to_numpy() % DAY
    runs = np.arange(air.linehaul.first, air.linehaul.last + 1, air.linehaul.every)
    assert np.isin(np.round(minutes, 6), runs).all()


# ---------------------------------------------------------------- the paper
@pytest.fixture(scope="module")
def hongqiao_runs():
    # Counted departure days 4-6 (warm-up 4 d > the 72 h window): Friday to the weekend peak.
    scenario = load_scenario(HONGQIAO, ['scenario.horizon="7d"'])
    return [simulate(scenario, seed=seed) for seed in range(1, 7)]


def _ci(runs, kpi: str) -> tuple[float, float]:
    return confidence_interval([r.kpi("airport", "all", kpi) for r in runs])


def test_hongqiao_peak_day_reproduces_the_paper(hongqiao_runs):
    # "the center's peak daily orders exceeded 5,000" (2024).
    low, high = _ci(hongqiao_runs, "peak_day_orders")
    assert low >= 5_000 * 0.9 and high <= 5_000 * 1.1, f"peak day 99% CI [{low:.0f}, {high:.0f}]"
    assert low > 5_000


def test_hongqiao_mean_pickup_time_reproduces_the_paper(hongqiao_runs):
    # "an average pick-up time of only 90 seconds": queue + face-ID + hand-over.
    low, high = (60 * v for v in _ci(hongqiao_runs, "time_at_counter_mean"))
    assert low >= 90 * 0.9 and high <= 90 * 1.1, f"pickup time 99% CI [{low:.1f}, {high:.1f}] s"
    # Face-ID takes 10 s.
    assert hongqiao_runs[0].kpi("airport", "all", "id_check_mean") * 60 == pytest.approx(10.0)


def test_hongqiao_peak_hour_matches_the_press(hongqiao_runs):
    # Hongqiao T1 peak ~2,000 passengers/h (public press), within 10%.
    low, high = _ci(hongqiao_runs, "peak_hour_passengers")
    assert low >= 2_000 * 0.9 and high <= 2_000 * 1.1, f"peak hour 99% CI [{low:.0f}, {high:.0f}]"


# ---------------------------------------------------------------- schedule and policies
def test_profiled_schedule_has_the_expected_departures_each_day():
    flights = load_scenario(HONGQIAO).airport.flights
    plan = flight_timetable(flights, start_weekday=0, until=14 * DAY)
    days = np.array([t for t, _s, _n in plan]) // DAY
    weights = normalised(WEEKDAY_PROFILES["weekend_peak"])
    for day in range(14):
        expected = flights.departures_per_day * weights[day % 7]
        assert (days == day).sum() == math.floor(expected + 0.5)
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(plan))


def test_timetable_flights_leave_daily_at_their_time():
    raw = copy.deepcopy(HONGQIAO_RAW)
    raw["airport"]["flights"] = {
        "load_factor": 0.9,
        "timetable": [
            {"name": "MU5101", "departs": "07:30"},
            {"name": "FM9301", "departs": "21:05", "seats": 300},
        ],
    }
    scenario = scenario_from_dict(raw)
    plan = flight_timetable(scenario.airport.flights, 0, 3 * DAY)
    assert plan[:3] == [(450.0, 180, "MU5101"), (1265.0, 300, "FM9301"), (1890.0, 180, "MU5101")]
    assert len(plan) == 6


def test_loading_policies_respect_capacity_and_priority():
    departure = [300.0, 100.0, math.nan, 200.0]
    assert LOADING_POLICIES["fifo"]([0, 1, 2, 3], 2, departure) == [0, 1]
    assert LOADING_POLICIES["earliest_departure"]([0, 1, 2, 3], 2, departure) == [1, 3]
    assert LOADING_POLICIES["earliest_departure"]([2, 0], 5, departure) == [2, 0]
    assert set(LOADING_POLICIES) == set(LineHaul.model_fields["loading"].annotation.__args__)


# ---------------------------------------------------------------- determinism
def test_airport_runs_are_reproducible_and_use_common_random_numbers():
    scenario = load_scenario(HONGQIAO, ['scenario.horizon="4d"', 'scenario.warmup="1d"'])
    first, again = simulate(scenario, seed=9), simulate(scenario, seed=9)
    pd.testing.assert_frame_equal(first.orders, again.orders)
    pd.testing.assert_frame_equal(first.flights, again.flights)
    pd.testing.assert_frame_equal(first.kpis, again.kpis)
    # Half the counters: the same travellers, orders and flights; different queues.
    half = [n // 2 for n in scenario.airport.staffing]
    fewer = simulate(scenario, seed=9, overrides=[f"airport.staffing={half}"])
    columns = ["placed", "flight", "skus", "value_cny", "departure", "at_counter"]
    pd.testing.assert_frame_equal(first.orders[columns], fewer.orders[columns])
    assert not first.orders["counter_start"].equals(fewer.orders["counter_start"])


# ---------------------------------------------------------------- scenario files
def test_hongqiao_round_trips_and_runs_from_the_command_line(tmp_path):
    scenario = load_scenario(HONGQIAO)
    out = tmp_path / "hq"
    assert (
        main(
            [
                "run",
                "shanghai_hongqiao_airport",
                "--horizon",
                "5d",
                "--set",
                'scenario.warmup="1d"',
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    files = {p.name for p in out.iterdir()}
    assert {"flights.parquet", "airport_counters.png", "orders.parquet"} <= files
    saved = load_scenario(out / "scenario.toml")
    assert saved.airport == scenario.airport
    assert saved.airport.linehaul.first == 30.0  # "00:30" written back as such


def _error(mutate) -> str:
    raw = copy.deepcopy(HONGQIAO_RAW)
    mutate(raw)
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(raw, source="hq.toml")
    return str(info.value)


BAD = {
    "staffing-above-counters": (
        lambda r: r["airport"].update(counters=5),
        ("hq.toml: airport.staffing = ", "each hour opens 0 to 5 counters"),
    ),
    "staffing-wrong-length": (
        lambda r: r["airport"].update(staffing=[3] * 23),
        ("needs 24 values, one per hour",),
    ),
    "last-call-after-cutoff": (
        lambda r: r["airport"].update(last_call="2h"),
        ("airport.last_call = '2h': must be shorter than airport.staging_cutoff (90min)",),
    ),
    "window-shorter-than-order-cutoff": (
        lambda r: r["airport"].update(preorder_window="4h"),
        ("airport.order_cutoff = '5h': must be shorter than airport.preorder_window (4h)",),
    ),
    "bad-time-of-day": (
        lambda r: r["airport"]["linehaul"].update(first="24:10"),
        ("airport.linehaul.first = '24:10'", 'written "HH:MM"'),
    ),
    "both-schedules": (
        lambda r: r["airport"]["flights"].update(timetable=[{"name": "X1", "departs": "08:00"}]),
        ("airport.flights", "either departures_per_day or a timetable"),
    ),
    "pickup-without-airport": (
        lambda r: (
            r.pop("airport"),
            r["customers"]["segments"][0].update(source="poisson", arrivals_per_day=100),
        ),
        ("channels.airport_pickup.route", "no [airport] table"),
    ),
    "flights-segment-without-flights": (
        lambda r: r["airport"].pop("flights"),
        ("customers.segments[0].source = 'flights'", "[airport.flights]"),
    ),
    "traveller-with-arrival-rate": (
        lambda r: r["customers"]["segments"][0].update(arrivals_per_day=50),
        ("customers.segments[0]", 'does not apply to source = "flights"'),
    ),
    "airport-route-delivers": (
        lambda r: r["channels"]["airport_pickup"].update(
            route=["reserve", "deliver", "linehaul", "pickup"]
        ),
        ("deliver or at the airport, not both",),
    ),
    "route-stops-at-the-dock": (
        lambda r: r["channels"]["airport_pickup"].update(route=["pick", "linehaul"]),
        ("a route through the airport ends at pickup",),
    ),
    "unknown-airport-key": (
        lambda r: r["airport"].update(counter=3),
        ("airport.counter: unknown key", "did you mean 'counters'?"),
    ),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_airport_input_gives_one_clear_line(case):
    mutate, fragments = BAD[case]
    message = _error(mutate)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


def test_baseline_has_no_airport_and_no_airport_kpis(baseline_path: Path):
    scenario = load_scenario(baseline_path, ['scenario.horizon="2d"', 'scenario.warmup="1d"'])
    result = simulate(scenario)
    assert scenario.airport is None and result.flights.empty
    assert not (result.kpis["group"] == "airport").any()
    assert result.orders["departure"].isna().all() and (result.orders["flight"] == -1).all()
