"""Invariants of the virtual warehouse on random small set-ups (hypothesis).

Whatever the lag, the oversell rule, the shortage rule, the basket size and the
allocation policy: no site's stock goes negative, every unit is accounted for
(initial + receipts + returns + releases - reserved = on hand, over the network),
every order placed before the horizon has ended after the drain, and every served
order names a site its channel may sell from.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2osim.facilities.sites import VirtualWarehouse
from o2osim.policies import POLICY_NAMES
from o2osim.scenario import with_overrides
from o2osim.world import World

from site_scenarios import two_sites


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lag=st.sampled_from(["0s", "30min", "3h"]),
    rule=st.sampled_from(["reallocate", "cancel", "backorder"]),
    shortage=st.sampled_from(["lose", "backorder"]),
    items=st.sampled_from([1.0, 2.5]),
    policy=st.sampled_from(POLICY_NAMES["site_allocation"]),
    pooled=st.booleans(),
    seed=st.integers(1, 50),
)
def test_stock_is_conserved_and_never_negative(lag, rule, shortage, items, policy, pooled, seed):
    scenario = two_sites(
        pooled,
        stock=2,
        skus=6,
        horizon="3d",
        lag=lag,
        shortage=shortage,
        on_oversell=rule,
        allocation=policy,
        transfer={"policy": "top_up_from_hub", "hub": "site_a", "below_units": 0},
    )
    scenario = with_overrides(scenario, [f"catalogue.items_per_order={items}"], origin="test")
    world = World(scenario, seed=seed)
    world.run()
    vw = world.parts.pool
    assert isinstance(vw, VirtualWarehouse)
    for site in vw.sites:
        assert min(site.on_hand) >= 0
    ledger = world.ledger
    total = sum(sum(site.on_hand) for site in vw.sites)
    in_transit = 0 if vw.transfers is None else sum(map(sum, vw.transfers.in_transit))
    assert sum(ledger.on_hand_change) == total
    assert sum(ledger.on_order_change) == sum(sum(s.on_order) for s in vw.sites) + in_transit
    assert all(world.book.outcome)  # every order ended (the drain is long enough)
    allowed = vw.layout.allowed
    site_of = np.asarray(vw.site_of)
    served = ~np.isnan(np.asarray(world.book.column("reserved"), dtype=float))
    for order_id in np.flatnonzero(served):
        sources = vw.lines(order_id, world.book.skus[order_id])
        assert set(sources) <= set(allowed[world.book.channel[order_id]])
    assert (site_of[served] >= 0).all()
