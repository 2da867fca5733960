"""The back warehouse: pickers beside AGVs, the sorter, and dispatch waves with cut-offs."""

from __future__ import annotations

import numpy as np
import pytest

from o2osim import simulate
from o2osim.facilities.warehouse import next_departure
from o2osim.theory import mmc_mean_wait

from helpers import confidence_interval, stripped


def test_pickers_and_agvs_with_equal_times_are_one_mmc_queue():
    # 2 pickers + 2 AGVs, all exponential 1 min per line, 3 orders/min: M/M/4 at rho = 0.75.
    scenario = stripped(
        ["pick"],
        per_minute=3.0,
        warehouse={"pickers": 2, "agvs": 2, "agv_time": {"dist": "exponential", "mean": "1min"}},
    )
    waits = [
        simulate(scenario, seed=seed).kpi("resource", "pick", "mean_wait") for seed in range(1, 21)
    ]
    low, high = confidence_interval(waits)
    exact = mmc_mean_wait(3.0, 1.0, 4)
    assert low <= exact <= high, f"Erlang C W_q={exact:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"


def _pick_minutes_per_line(rate: float):
    scenario = stripped(
        ["pick"],
        per_minute=rate,
        horizon="2d",
        warmup="0s",
        catalogue={"items_per_order": 2.0},
        warehouse={
            "pickers": 2,
            "agvs": 2,
            "pick_time": {"dist": "deterministic", "value": "1min"},
            "agv_time": {"dist": "deterministic", "value": "10s"},
        },
    )
    orders = simulate(scenario, seed=2).orders.dropna(subset=["picked"])
    return ((orders["picked"] - orders["pick_start"]) / orders["lines"]).to_numpy()


def test_a_free_agv_is_taken_before_a_free_picker():
    per_line = _pick_minutes_per_line(0.02)  # rarely two orders at once
    assert np.allclose(per_line, 10 / 60)
    busy = _pick_minutes_per_line(6.0)  # AGVs alone cannot keep up
    assert np.isclose(busy, 10 / 60).any() and np.isclose(busy, 1.0).any()
    assert np.all(np.isclose(busy, 10 / 60) | np.isclose(busy, 1.0))


def test_the_sorter_takes_lines_over_throughput():
    scenario = stripped(
        ["sort"],
        per_minute=1.0,
        horizon="1d",
        warmup="0s",
        catalogue={"items_per_order": 2.5},
        warehouse={"sort_per_hour": 1200, "sort_lanes": 2},
    )
    orders = simulate(scenario).orders.dropna(subset=["sorted"])
    np.testing.assert_allclose(orders["sorted"] - orders["sort_start"], orders["lines"] * 0.05)


@pytest.mark.parametrize("capacity", [0, 25])
def test_waves_leave_at_the_cut_offs_and_deliver_next_day(capacity):
    scenario = stripped(
        ["pick", "regional"],
        per_minute=0.1,
        horizon="5d",
        warmup="0s",
        warehouse={
            "regional": {
                "cutoffs": ["12h", "21h"],
                "capacity": capacity,
                "delivery_time": {"dist": "deterministic", "value": "14h"},
            }
        },
    )
    orders = simulate(scenario).orders
    gone = orders.dropna(subset=["wave_departed"])
    assert len(gone) > 200
    minute_of_day = gone["wave_departed"] % 1440
    assert minute_of_day.isin([720.0, 1260.0]).all()
    done = gone.dropna(subset=["delivered"])
    np.testing.assert_allclose(done["delivered"], done["wave_departed"] + 14 * 60)
    if capacity == 0:  # everyone leaves with the first wave after being picked
        expected = [next_departure(t, [720.0, 1260.0]) for t in gone["picked"]]
        np.testing.assert_allclose(gone["wave_departed"], expected)
    else:  # no wave over capacity; first picked, first to leave
        assert gone.groupby("wave_departed").size().max() <= capacity
        ordered = gone.sort_values(["picked", "order_id"])
        assert np.all(np.diff(ordered["wave_departed"].to_numpy()) >= 0)
        assert (gone["wave_departed"] >= gone["picked"]).all()


def test_direct_mail_legs_add_up():
    scenario = stripped(
        ["seller_ship", "port_customs", "courier"],
        per_minute=0.05,
        horizon="20d",
        warmup="0s",
        direct_mail={
            "parcel_transit": {"dist": "deterministic", "value": "9d"},
            "courier_transit": {"dist": "deterministic", "value": "3d"},
            "port_customs": {
                "capacity": 50,
                "inspection_rate": 0.0,
                "clearance_time": {"dist": "deterministic", "value": "2h"},
            },
        },
    )
    orders = simulate(scenario).orders
    done = orders[orders["outcome"] == "delivered"]
    assert len(done) > 300
    np.testing.assert_allclose(done["port_arrived"], done["placed"] + 9 * 1440)
    np.testing.assert_allclose(done["port_cleared"], done["port_arrived"] + 120)
    np.testing.assert_allclose(done["delivered"], done["port_cleared"] + 3 * 1440)
    assert orders["reserved"].isna().all()  # nothing comes from the bonded pool
