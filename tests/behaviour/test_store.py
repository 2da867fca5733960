"""The front store's experience zone against queueing theory.

With the door queue off, the zone is an Erlang loss system M/G/c/c: the share of
visitors turned away is Erlang B of the offered load lambda * E[time inside],
whatever the distribution of that time (insensitivity). With the door queue on
and exponential times it is M/M/c: the wait at the door is Erlang C.
"""

from __future__ import annotations

import pytest

from o2osim import simulate
from o2osim.theory import erlang_b, mmc_mean_wait

from helpers import confidence_interval, stripped

REPLICATIONS = 20


def store_scenario(
    browse: dict,
    door_queue: bool,
    capacity: int = 10,
    per_minute: float = 1.0,
    horizon: str = "3d",
    **store,
):
    """Visitors only browse (nobody buys), so the time inside is the browsing time."""
    return stripped(
        ["store_visit"],
        per_minute=per_minute,
        horizon=horizon,
        warmup="6h",
        stores=[
            {
                "name": "front",
                "capacity": capacity,
                "door_queue": door_queue,
                "browse_time": browse,
                "purchase_probability": 0.0,
                **store,
            }
        ],
    )


def replicate(scenario, group: str, name: str, kpi: str) -> list[float]:
    return [
        simulate(scenario, seed=seed).kpi(group, name, kpi) for seed in range(1, REPLICATIONS + 1)
    ]


@pytest.mark.parametrize(
    "browse",
    [
        {"dist": "exponential", "mean": "8min"},
        {"dist": "lognormal", "mean": "8min", "cv": 1.5},  # insensitivity: only the mean counts
    ],
    ids=["exponential", "lognormal"],
)
def test_without_a_door_queue_the_zone_is_an_erlang_loss_system(browse):
    # 1 visitor/min, 8 min inside, capacity 10: offered load 8 Erlangs, B(10, 8) = 0.1217.
    shares = replicate(
        store_scenario(browse, door_queue=False), "store", "front", "turned_away_share"
    )
    low, high = confidence_interval(shares)
    exact = erlang_b(10, 8.0)
    assert low <= exact <= high, f"Erlang B {exact:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"


def test_with_a_door_queue_nobody_is_turned_away_and_the_door_wait_is_erlang_c():
    # Same zone, rho = 0.8: an M/M/10 queue at the door.
    scenario = store_scenario(
        {"dist": "exponential", "mean": "8min"}, door_queue=True, horizon="8d"
    )
    waits = []
    for seed in range(1, REPLICATIONS + 1):
        result = simulate(scenario, seed=seed)
        assert result.kpi("store", "front", "turned_away") == 0
        waits.append(result.kpi("store", "front", "mean_door_wait"))
    low, high = confidence_interval(waits)
    exact = mmc_mean_wait(1.0, 8.0, 10)
    assert low <= exact <= high, f"Erlang C W_q {exact:.3f} outside 99% CI [{low:.3f}, {high:.3f}]"


def test_littles_law_holds_in_the_zone_with_mirrors_staff_and_checkout():
    # People inside (exact time integral) = entry rate x mean time inside, on one sample path.
    scenario = stripped(
        ["store_visit"],
        per_minute=0.8,
        horizon="6d",
        warmup="6h",
        stores=[
            {
                "name": "front",
                "capacity": 30,
                "ar_mirrors": 2,
                "mirror_share": 0.4,
                "staff": 3,
                "help_share": 0.3,
                "purchase_probability": 0.5,
                "checkout_staff_share": 0.2,
                "browse_time": {"dist": "exponential", "mean": "15min"},
            }
        ],
    )
    result = simulate(scenario, seed=7)
    zone = result.info.resource_stats["front"]
    entered = result.orders[
        result.orders["after_warmup"]
        & result.orders["left_store"].notna()
        & result.orders["entered"].notna()
    ]
    time_inside = (entered["left_store"] - entered["entered"]).mean()
    rate = zone["completions"] / zone["span_min"]
    assert zone["mean_busy"] == pytest.approx(rate * time_inside, rel=0.02)
    for resource in ("front.mirrors", "front.staff"):
        assert 0 < result.kpi("resource", resource, "utilisation") < 1
    # Half the visitors buy: the share lies within 4 binomial standard deviations of 0.5.
    buyers = result.kpi("store", "front", "buyers")
    conversion = result.kpi("store", "front", "conversion_rate")
    visitors = buyers / conversion
    assert abs(conversion - 0.5) < 4 * (0.25 / visitors) ** 0.5


def test_display_samples_are_not_sellable_stock():
    # Samples of every SKU are on display, but the bonded pool is empty: every buyer is a
    # lost sale, none takes a display sample.
    scenario = stripped(
        ["store_visit", "reserve", "collect"],
        per_minute=0.5,
        horizon="1d",
        warmup="0s",
        stores=[
            {
                "name": "front",
                "capacity": 50,
                "purchase_probability": 1.0,
                "display_samples_per_sku": 1,
            }
        ],
        warehouse={
            "unlimited_stock": False,
            "initial_stock_units": 0,
            "replenishment": {"policy": "none"},
        },
        # No customs stage: a route of bonded goods would be refused, so duty-paid ones.
        channels={
            "only": {
                "route": ["store_visit", "reserve", "collect"],
                "promise": "1d",
                "goods": "duty_paid",
            }
        },
    )
    result = simulate(scenario)
    orders = result.orders
    bought = orders["left_store"].notna()
    assert bought.sum() > 100
    assert (orders.loc[bought, "outcome"] == "lost_sale").all()
    assert result.kpi("store", "front", "display_samples") == 50
    assert (result.inventory["kind"] == "initial").all()


def test_take_away_waits_for_clearance_and_picking():
    scenario = stripped(
        ["store_visit", "reserve", "customs", "pick", "collect"],
        per_minute=0.5,
        horizon="1d",
        warmup="0s",
        stores=[
            {
                "name": "front",
                "capacity": 50,
                "purchase_probability": 1.0,
                "handover_time": {"dist": "deterministic", "value": "5min"},
            }
        ],
    )
    orders = simulate(scenario).orders
    done = orders[orders["outcome"] == "collected"]
    assert len(done) > 100
    assert (done["collected"] == done["picked"] + 5.0).all()
    assert (done["picked"] >= done["cleared"]).all()
    assert (done["reserved"] == done["left_store"]).all()
