"""The keys of the store formats: what they accept and the one-line errors they give.

hypothesis draws presale leads, radii, shares and discounts; a value outside what the
docs allow must be refused with a ScenarioError naming its key, one inside accepted.
"""

from __future__ import annotations

import pytest
from format_scenarios import SLOTS, presale_scenario, radius_scenario
from hypothesis import given
from hypothesis import strategies as st

from o2osim import simulate
from o2osim.scenario import ScenarioError

from helpers import stripped

SLOT_LEAD_HOURS = 6


@given(st.integers(0, 12))
def test_a_batch_is_picked_after_its_ordering_window_closes(lead_hours: int) -> None:
    presale = {"only": {"batch_lead": f"{lead_hours}h"}}
    if lead_hours <= SLOT_LEAD_HOURS:
        presale_scenario(0.1, presale=presale)
        return
    with pytest.raises(ScenarioError, match=r"presale\.only\.batch_lead.*at most the slots' lead"):
        presale_scenario(0.1, presale=presale)


@given(st.floats(-5.0, 10.0, allow_nan=False))
def test_a_radius_is_a_positive_distance(radius: float) -> None:
    if radius > 0:
        radius_scenario(0.1, disc_km=5.0, radius_km=radius)
        return
    with pytest.raises(ScenarioError, match=r"instant\.only\.radius_km"):
        radius_scenario(0.1, disc_km=5.0, radius_km=radius)


@given(st.floats(-1.0, 2.0, allow_nan=False), st.floats(-1.0, 2.0, allow_nan=False))
def test_member_share_and_discount_are_shares(share: float, discount: float) -> None:
    club = {"fee_cny_per_year": 100.0, "segments": ["poisson"], "member_share": share}
    club["member_discount"] = discount
    customers = {"around": "shop", "population": 100}
    if 0 <= share <= 1 and 0 <= discount < 1:
        presale_scenario(0.1, membership=club, customers=customers)
        return
    with pytest.raises(ScenarioError, match=r"membership\.member_"):
        presale_scenario(0.1, membership=club, customers=customers)


def test_a_presale_batch_needs_its_presale_table() -> None:
    with pytest.raises(ScenarioError, match=r"needs a \[presale\.only\] table"):
        stripped(
            [],
            0.1,
            depots={"shop": {"pickers": 1, "pick_time": {"dist": "exponential", "mean": "1min"}}},
            channels={
                "only": {
                    "route": ["presale_batch", "front_pick", "hold"],
                    "slots": SLOTS,
                    "depot": "shop",
                }
            },
        )


def test_members_need_a_population() -> None:
    club = {"fee_cny_per_year": 100.0, "segments": ["poisson"], "member_share": 0.5}
    with pytest.raises(ScenarioError, match=r"membership\.segments\[0\].*population"):
        presale_scenario(0.1, membership=club)


def test_beyond_the_radius_a_customer_shops_in_the_store() -> None:
    scenario = radius_scenario(0.5, disc_km=5.0, radius_km=3.0)
    raw = scenario.model_copy(deep=True)
    channels = {
        **raw.channels,
        "store": raw.channels["only"].model_copy(
            update={"route": ["front_pick"], "depot": "shop", "promise": 60.0}
        ),
    }
    segment = raw.customers.segments[0].model_copy(
        update={"channels": ["only", "store"], "channel_shares": [1.0, 0.0]}
    )
    instant = {
        "only": raw.instant["only"].model_copy(  # type: ignore[index]
            update={"beyond_radius": "store", "store_channel": "store"}
        )
    }
    scenario = raw.model_copy(
        update={
            "channels": channels,
            "instant": instant,
            "customers": raw.customers.model_copy(update={"segments": [segment]}),
        }
    )
    result = simulate(scenario, seed=2)
    switched = result.orders["channel"] == "store"
    assert int(switched.sum()) == result.kpi("instant", "only", "sent_to_store") > 0
    assert (result.orders.loc[switched, "outcome"] == "collected").all()


@given(st.integers(-3, 60))
def test_the_presale_list_names_skus_of_the_catalogue(top: int) -> None:
    presale = {"only": {"batch_lead": "2h", "assortment_top": top}}
    if 1 <= top <= 50:  # the stripped catalogue has 50 SKUs
        presale_scenario(0.1, presale=presale)
        return
    with pytest.raises(ScenarioError, match=r"presale\.only\.assortment_top"):
        presale_scenario(0.1, presale=presale)


def test_a_presale_list_is_given_one_way() -> None:
    both = {"batch_lead": "2h", "assortment_top": 5, "assortment_skus": [1, 2]}
    with pytest.raises(ScenarioError, match=r"presale\.only.*not both"):
        presale_scenario(0.1, presale={"only": both})
    with pytest.raises(ScenarioError, match=r"assortment_skus\[1\].*0 to 49"):
        presale_scenario(0.1, presale={"only": {"assortment_skus": [3, 50]}})


def test_members_only_presale_needs_a_club_and_a_usable_other_channel() -> None:
    with pytest.raises(ScenarioError, match=r"presale\.only\.members_only.*\[membership\]"):
        presale_scenario(0.1, presale={"only": {"members_only": True}})
    with pytest.raises(ScenarioError, match=r"presale\.only\.otherwise_channel.*without presale"):
        presale_scenario(0.1, presale={"only": {"otherwise_channel": "only"}})
    other = {"now": {"route": ["front_pick"], "promise": "1h", "depot": "shop"}}
    with pytest.raises(ScenarioError, match=r"customers\.segments\[0\]\.channels.*add 'now'"):
        presale_scenario(0.1, presale={"only": {"otherwise_channel": "now"}}, channels=other)


def test_a_packing_point_needs_its_packers() -> None:
    channels = {
        "only": {"route": ["front_pick", "tote", "pack_point"], "depot": "shop", "promise": "1h"}
    }
    with pytest.raises(ScenarioError, match=r"stage 'pack_point' needs \[instant\.only\]"):
        stripped(
            [],
            0.5,
            depots={"shop": {"pickers": 1, "pick_time": {"dist": "exponential", "mean": "1min"}}},
            channels=channels,
            instant={"only": {"tote_travel": {"dist": "deterministic", "value": "1min"}}},
            customers={"around": "shop"},
        )
    spec = {"tote_travel": {"dist": "deterministic", "value": "1min"}, "packers": 2}
    with pytest.raises(ScenarioError, match=r"instant\.only\.packers.*'pack_point'"):
        stripped(
            [],
            0.5,
            depots={"shop": {"pickers": 1, "pick_time": {"dist": "exponential", "mean": "1min"}}},
            channels={"only": {"route": ["front_pick", "tote"], "depot": "shop", "promise": "1h"}},
            instant={"only": {**spec, "pack_time": {"dist": "exponential", "mean": "1min"}}},
            customers={"around": "shop"},
        )
