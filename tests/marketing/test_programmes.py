"""Membership raises trust as the logit says, and marketing money is paid to the cent.

A programme's ``trust_gain`` g on one channel adds ``per_trust x g`` to that channel's
utility, so in the multinomial logit its odds against any other channel are multiplied
by exactly ``exp(per_trust x g)`` (McFadden 1974), whatever the basket and the home.
The spend is a period cost: CNY per day x the counted days, and revenue minus every
cost line is the profit, to the cent. A scenario without ``[marketing]`` has neither the
lines nor the KPI group.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from o2osim.api import simulate
from o2osim.bundled import BUNDLED
from o2osim.economics import COSTS, MARKETING_LINES
from o2osim.scenario import load_scenario
from o2osim.world import World

TRAFFIC_FIRST = BUNDLED / "wenzhou_traffic_first.toml"
SHORT = ['scenario.horizon="2d"', 'scenario.warmup="1d"']


def _resident_chooser(keys: list[str]):
    world = World(load_scenario(TRAFFIC_FIRST, keys))
    return world.parts.choosers[0]


def test_trust_gain_multiplies_the_odds_by_the_logit_factor():
    only_online = 'marketing.programmes[0].channels=["online_delivery"]'
    with_club = _resident_chooser([only_online])
    without = _resident_chooser([only_online, "marketing.programmes[0].trust_gain=0.0"])
    factor = math.exp(2.0 * 0.1)  # per_trust 2.0 x trust_gain 0.1 (the file's values)
    for value, x, y in [(80.0, 1.0, 0.5), (300.0, -2.0, 3.0), (1200.0, 4.0, -1.0)]:
        home = math.hypot(x - 2.0, y - 1.0) * 1.3  # road km to the store the segment lives around
        p = with_club.probabilities(value, x, y, home)
        q = without.probabilities(value, x, y, home)
        assert p[0] / p[1] == pytest.approx(factor * q[0] / q[1], rel=1e-12)
        assert p[1] / p[2] == pytest.approx(q[1] / q[2], rel=1e-12)  # uncovered pair


@pytest.fixture(scope="module")
def short_run():
    return simulate(load_scenario(TRAFFIC_FIRST, SHORT))


def test_spend_and_programmes_are_period_lines_paid_to_the_cent(short_run):
    money = short_run.money
    marketing = short_run.scenario.marketing
    assert money["acquisition_cny"].sum() == pytest.approx(marketing.acquisition_cny_per_day())
    assert money["programmes_cny"].sum() == pytest.approx(marketing.programmes_cny_per_day())
    cents = {c: np.rint(money[f"{c}_cny"].to_numpy() * 100) for c in (*COSTS, *MARKETING_LINES)}
    revenue = np.rint(money["revenue_cny"].to_numpy() * 100)
    profit = np.rint(money["profit_cny"].to_numpy() * 100)
    assert np.array_equal(revenue - sum(cents.values()), profit)


def test_without_marketing_there_is_no_line_and_no_group():
    baseline = simulate(load_scenario(BUNDLED / "wenzhou_baseline.toml", SHORT))
    assert not any(f"{c}_cny" in baseline.money for c in MARKETING_LINES)
    assert "marketing" not in set(baseline.kpis["group"])
    assert not baseline.kpis["kpi"].str.contains("acquisition|programmes").any()
