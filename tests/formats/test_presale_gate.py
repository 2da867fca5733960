"""Metro presale for members, on a limited assortment: the gate against closed forms.

Baskets hold 1 + Poisson(m - 1) lines, each an independent draw from the catalogue's
Zipf popularity (weights (k + 1)^-a over the SKUs). If the presale offers SKUs with total
popularity p, a basket is all presale with probability E[p^lines] = p exp(-(m - 1)(1 - p)),
so that share of the orders asking for presale is taken and the rest refused. Members
are the first floor(share x population) customers, drawn uniformly, so with members-only
presale the members' share of the orders asking for it is the member share. Both are
checked with replication confidence intervals; the refused orders' fates are exact.
"""

from __future__ import annotations

import math

from format_scenarios import presale_scenario

from o2osim import simulate
from o2osim.customers import zipf_probabilities
from o2osim.scenario import Scenario

from helpers import confidence_interval

SKUS, ZIPF_A, LINES, TOP = 200, 1.1, 2.5, 20


def assortment_scenario() -> Scenario:
    """Presale of the TOP most popular SKUs only; other baskets are lost sales."""
    return presale_scenario(
        0.2,
        presale={"only": {"batch_lead": "2h", "assortment_top": TOP}},
        catalogue={
            "skus": SKUS,
            "items_per_order": LINES,
            "popularity": {"dist": "zipf", "a": ZIPF_A},
        },
    )


def test_share_of_all_presale_baskets_is_the_closed_form() -> None:
    p = float(zipf_probabilities(SKUS, ZIPF_A)[:TOP].sum())
    expected = 1.0 - p * math.exp(-(LINES - 1.0) * (1.0 - p))
    scenario = assortment_scenario()
    shares = [
        simulate(scenario, seed=seed).kpi("presale", "only", "outside_assortment_share")
        for seed in range(6)
    ]
    low, high = confidence_interval(shares)
    assert low <= expected <= high


def test_baskets_outside_the_assortment_are_lost_before_a_slot() -> None:
    result = simulate(assortment_scenario(), seed=2)
    orders = result.orders
    outside = orders["skus"].map(lambda skus: max(skus) >= TOP)
    assert (orders.loc[outside, "outcome"] == "lost_sale").all()
    assert orders.loc[outside, "slot_start"].isna().all()
    assert (orders.loc[~outside, "outcome"] == "delivered").all()
    counted = outside & orders["after_warmup"]
    assert result.kpi("presale", "only", "outside_assortment") == int(counted.sum())


MEMBERS, POPULATION = 0.3, 1000


def members_only_scenario() -> Scenario:
    """Members-only presale; non-members order through ``now`` (a store pick-up)."""
    return presale_scenario(
        0.2,
        presale={"only": {"batch_lead": "2h", "members_only": True, "otherwise_channel": "now"}},
        channels={"now": {"route": ["front_pick"], "promise": "1h", "depot": "shop"}},
        membership={"fee_cny_per_year": 260.0, "segments": ["poisson"], "member_share": MEMBERS},
        customers={
            "around": "shop",
            "population": POPULATION,
            "channels": ["only", "now"],
            "channel_shares": [1.0, 0.0],
        },
    )


def test_members_only_presale_takes_the_member_share() -> None:
    scenario = members_only_scenario()
    shares = []
    for seed in range(6):
        result = simulate(scenario, seed=seed)
        asked = result.kpi("presale", "only", "asked_presale")
        shares.append(result.kpi("presale", "only", "member_presale_orders") / asked)
        redirected = result.kpi("presale", "only", "redirected")
        assert (
            redirected
            == result.kpi("presale", "only", "not_member")
            == asked - (result.kpi("presale", "only", "presale_orders"))
        )
    low, high = confidence_interval(shares)
    assert low <= MEMBERS <= high


def test_non_members_order_through_the_other_channel() -> None:
    orders = simulate(members_only_scenario(), seed=4).orders
    member = orders["customer"] < math.floor(MEMBERS * POPULATION)
    assert (orders.loc[member, "channel"] == "only").all()
    assert (orders.loc[~member, "channel"] == "now").all()
    assert (orders.loc[~member, "outcome"] == "collected").all()
