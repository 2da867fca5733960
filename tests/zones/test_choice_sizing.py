"""Stock sized from the choice model: realised shares against the closed-form logit, the
fill rate against the Poisson base-stock formula for the sized target, journeys' flow.

A logit segment chooses between a stocked channel and direct mail (no stock) that
differ only in a constant, so P(stocked) = e^1.5 / (1 + e^1.5) = 0.8176 for every
customer (McFadden 1974). Base stock reviewed continuously, 1-day deterministic lead
time, order-up-to = one day of sized demand: per SKU S = ceil(10 x P x 1). With
backorders the fill rate is P(D <= S - 1), D ~ Poisson(10 x P) (Hadley & Whitin 1963).
"""

from __future__ import annotations

import math

import pytest
from zone_setups import LOGIT_STOCKED, PREFERENCE, choice_scenario

from o2osim import simulate
from o2osim.plan import make_plan
from o2osim.randomness import Streams
from o2osim.scenario import load_scenario, with_overrides
from o2osim.sizing_choice import choice_probabilities, reserving_share
from o2osim.theory import poisson_fill_rate
from o2osim.world import World

from helpers import ROOT, confidence_interval

REPLICATIONS = 8
PER_SKU = 10.0  # arrivals per SKU per day, both channels together


def _runs(
    shares: list[float] | None, replications: int = REPLICATIONS
) -> list[tuple[float, float]]:
    """(realised share of the stocked channel, its fill rate) per replication."""
    scenario = choice_scenario(PER_SKU, 40, 1.0, shares=shares, horizon="20d")
    out = []
    for seed in range(1, replications + 1):
        result = simulate(scenario, seed=seed)
        out.append(
            (
                result.kpi("choice", "poisson", "share_stocked"),
                result.kpi("channel", "stocked", "fill_rate"),
            )
        )
    return out


@pytest.fixture(scope="module")
def sized_by_choice() -> list[tuple[float, float]]:
    return _runs(None)


def test_realised_shares_are_the_closed_form_logit(sized_by_choice):
    low, high = confidence_interval([share for share, _ in sized_by_choice])
    assert low <= LOGIT_STOCKED <= high, (
        f"logit {LOGIT_STOCKED:.4f} outside [{low:.4f}, {high:.4f}]"
    )


def test_fill_rate_is_the_poisson_base_stock_value_of_the_sized_target(sized_by_choice):
    target = math.ceil(PER_SKU * LOGIT_STOCKED * 1.0)  # one day of the stocked channel's demand
    assert target == 9
    exact = poisson_fill_rate(PER_SKU * LOGIT_STOCKED, target)
    low, high = confidence_interval([fill for _, fill in sized_by_choice])
    assert low <= exact <= high, f"base stock {exact:.4f} outside [{low:.4f}, {high:.4f}]"


def test_channel_shares_override_the_sizing_as_written():
    # Equal shares (the old default) size S = ceil(10 x 0.5) = 5 while 82% still choose
    # the stocked channel: the fill rate is the formula's for S = 5.
    fills = [fill for _, fill in _runs([1.0, 1.0], 4)]
    exact = poisson_fill_rate(PER_SKU * LOGIT_STOCKED, 5)
    low, high = confidence_interval(fills)
    assert low <= exact <= high, f"override {exact:.4f} outside [{low:.4f}, {high:.4f}]"


def test_the_sampled_logit_is_the_closed_form_when_every_home_is_alike():
    # Homes all 3 km away, the stocked channel's customers ride there and back: the
    # sampled mean over customers must be the logit at a 6 km round trip.
    world = World(choice_scenario(PER_SKU, 4, 1.0, home_km=3.0, horizon="4d"), seed=1)
    plan, chooser = world.parts.plan, world.parts.choosers[0]
    segment = plan.segments[0]
    per_km = segment.config.logit.per_travel_km
    utility = PREFERENCE + per_km * 6.0
    sampled = choice_probabilities(plan, segment, chooser, Streams(5))
    assert sampled[0] == pytest.approx(math.exp(utility) / (1.0 + math.exp(utility)), rel=1e-9)


def test_journeys_flow_is_the_expected_reserving_share():
    # xiasha_journeys, sized from the choice model: store visitors buy with 0.45; 28% of
    # those who do not order online (GfK 2014); 41% of online customers webroom and buy
    # in the store with 0.9.
    scenario = with_overrides(
        load_scenario(ROOT / "configs" / "xiasha_journeys.toml"),
        ["warehouse.size_from_choice=true"],
    )
    plan = make_plan(scenario)
    walk_in, online = (reserving_share(plan, seg, None, None) for seg in plan.segments)
    assert walk_in == pytest.approx((0.45 + 0.28 * 0.55, 1.0))
    assert online == pytest.approx(((1 - 0.41) + 0.41 * 0.9, 1.0))


def test_configured_shares_keep_their_arithmetic():
    plan = make_plan(load_scenario(ROOT / "configs" / "xiasha_journeys.toml"))
    walk_in, online = (reserving_share(plan, seg, None, None) for seg in plan.segments)
    assert walk_in == (0.45 * 0.5 + 0.45 * 0.35 + 0.45 * 0.15, 1.0)
    assert online == (1.0, 1.0)
