"""The virtual warehouse's and return paths' validators and allocation policies (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2osim.facilities.site_policies import SITE_ALLOCATION, TRANSFER, SiteOption, TransferRule
from o2osim.policies import POLICY_NAMES
from o2osim.scenario import ScenarioError, with_overrides

from site_scenarios import two_sites

BASE = two_sites(True, horizon="3d")


def test_policy_tables_hold_the_registered_names():
    assert set(SITE_ALLOCATION) == set(POLICY_NAMES["site_allocation"])
    assert set(TRANSFER) == set(POLICY_NAMES["transfer"])


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ("virtual_warehouse.allocation='closest'", "site_allocation policy"),
        ("virtual_warehouse.channels.a=['nowhere']", "no site of that name"),
        ("virtual_warehouse.channels.nope=['site_a']", "no channel of that name"),
        ("virtual_warehouse.transfer.hub='moon'", "no site of that name"),
        ("virtual_warehouse.on_oversell='shrug'", "on_oversell"),
        ("warehouse.unlimited_stock=true", "needs a [warehouse] with stock"),
        ("cross_returns.store_site='site_a'", "no store site"),
        ("cross_returns.store_to_store.share=0.2", "takes the rest"),
    ],
)
def test_bad_values_name_the_key(override, words):
    with pytest.raises(ScenarioError) as err:
        with_overrides(BASE, [override], origin="test")
    assert words in str(err.value)


@given(st.integers(min_value=-1000, max_value=-1) | st.integers(min_value=0, max_value=2**40))
def test_initial_stock_must_be_a_sane_count(units):
    override = f"virtual_warehouse.sites.site_a.initial_stock_units={units}"
    if 0 <= units <= 10**9:
        with_overrides(BASE, [override], origin="test")
        return
    with pytest.raises(ScenarioError, match="initial_stock_units"):
        with_overrides(BASE, [override], origin="test")


options = st.lists(
    st.builds(
        SiteOption,
        site=st.integers(0, 5),
        km=st.floats(0, 50),
        cost=st.floats(0, 20),
        store=st.booleans(),
        shown=st.integers(-3, 5),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda o: o.site,
)


@given(options, st.booleans(), st.integers(0, 3))
def test_an_allocation_picks_a_site_that_shows_the_basket(found, walk_in, guard):
    for name, policy in SITE_ALLOCATION.items():
        chosen = policy(found, walk_in, guard)
        shown = {o.site: o for o in found}
        if chosen is None:
            assert all(o.shown < 0 for o in found) or name == "keep_store_stock_for_walk_ins"
            continue
        assert shown[chosen].shown >= 0, name
        if name == "nearest_with_stock":
            assert shown[chosen].km == min(o.km for o in found if o.shown >= 0)


@given(
    st.integers(0, 10), st.integers(0, 10), st.integers(0, 3), st.integers(1, 6), st.integers(0, 3)
)
def test_a_transfer_never_takes_more_than_the_hub_spares(here, hub, below, up_to, keeps):
    units = TRANSFER["top_up_from_hub"](here, hub, TransferRule(below, up_to, keeps))
    assert 0 <= units <= max(0, hub - keeps)
    if units:
        assert here <= below and here + units <= up_to
