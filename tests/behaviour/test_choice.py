"""Channel choice: realised shares against the closed-form multinomial logit.

With no waits and no stock-outs feeding back into the choice, each order's
channel is an independent draw from the logit probabilities of its basket, so
the realised share of a channel estimates E_k[P_j(k)] over the basket size k.
That expectation is computed here from the formula, not from o2osim.choice.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from o2osim import simulate
from o2osim.choice import CHOICE_POLICIES, Taste, fixed_shares
from o2osim.scenario import ScenarioError, scenario_from_dict

from helpers import confidence_interval

REPLICATIONS = 20
PRICE = 60.0  # every SKU, CNY
EXTRA_LINES = 0.5  # lines per order = 1 + Poisson(0.5)
TAX = 0.091
FEE, FREE_ABOVE = 8.0, 99.0  # delivery fee waived from 99 CNY: baskets of 2+ lines
COEF = {"per_cny": -0.01, "per_promised_hour": -0.02, "per_travel_km": -0.15, "per_trust": 2.0}
CONSTANTS = {"store": 0.3, "mail": -0.5}
HOME_KM = 3.0


def choice_scenario(**segment: Any) -> dict[str, Any]:
    seg = {
        "name": "resident",
        "arrivals_per_day": 2000.0,
        "channels": ["delivery", "store", "mail"],
        "choice": "logit",
        "distance_km": {"dist": "deterministic", "value": HOME_KM},
        "logit": {"constants": CONSTANTS, **COEF},
    }
    seg.update(segment)
    return {
        "scenario": {"name": "choice", "layout": "omnichannel_hub", "horizon": "2d", "seed": 1},
        "customers": {"segments": [seg]},
        "catalogue": {
            "skus": 50,
            "items_per_order": 1.0 + EXTRA_LINES,
            "price_cny": {"dist": "deterministic", "value": PRICE},
        },
        "channels": {
            "delivery": {"route": ["deliver"], "promise": "1h", "offer": {"trust": 0.9}},
            "store": {
                "route": ["front_pick"],
                "depot": "store",
                "promise": "30min",
                "offer": {"customer_travels": True},
            },
            "mail": {"route": ["pick"], "promise": "7d", "offer": {"tax_rate": 0.0, "trust": 0.6}},
        },
        "depots": {
            "store": {
                "kind": "store",
                "pickers": 20,
                "pick_time": {"dist": "exponential", "mean": "10s"},
            }
        },
        "warehouse": {
            "pickers": 20,
            "pick_time": {"dist": "exponential", "mean": "10s"},
            "unlimited_stock": True,
        },
        "couriers": {"riders": 40, "trip_time": {"dist": "exponential", "mean": "2min"}},
        "economics": {
            "delivery_fees": {"delivery": {"fee_cny": FEE, "free_above_cny": FREE_ABOVE}}
        },
    }


def closed_form_shares() -> dict[str, float]:
    """E over basket sizes of the logit probabilities, straight from the formula."""
    shares = dict.fromkeys(("delivery", "store", "mail"), 0.0)
    for extra in range(30):
        weight = math.exp(-EXTRA_LINES) * EXTRA_LINES**extra / math.factorial(extra)
        value = PRICE * (1 + extra)
        fee = FEE if value < FREE_ABOVE else 0.0
        v = {
            "delivery": COEF["per_cny"] * (value * (1 + TAX) + fee)
            + COEF["per_promised_hour"] * 1.0
            + COEF["per_trust"] * 0.9,
            "store": CONSTANTS["store"]
            + COEF["per_cny"] * value * (1 + TAX)
            + COEF["per_promised_hour"] * 0.5
            + COEF["per_travel_km"] * 2 * HOME_KM
            + COEF["per_trust"] * 1.0,
            "mail": CONSTANTS["mail"]
            + COEF["per_cny"] * value
            + COEF["per_promised_hour"] * 168.0
            + COEF["per_trust"] * 0.6,
        }
        total = sum(math.exp(u) for u in v.values())
        for name, u in v.items():
            shares[name] += weight * math.exp(u) / total
    return shares


def test_realised_shares_match_closed_form_logit():
    scenario = scenario_from_dict(choice_scenario(), source="<choice>")
    runs = [simulate(scenario, seed=seed) for seed in range(1, REPLICATIONS + 1)]
    exact = closed_form_shares()
    for channel, share in exact.items():
        realised = [r.kpi("choice", "resident", f"share_{channel}") for r in runs]
        low, high = confidence_interval(realised)
        assert low <= share <= high, (
            f"{channel}: logit share {share:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"
        )


def test_tax_follows_the_chosen_channel():
    scenario = scenario_from_dict(choice_scenario(), source="<choice>")
    orders = simulate(scenario, seed=3).orders
    rate = orders["tax_cny"] / orders["value_cny"]
    by_channel = rate.groupby(orders["channel"].astype(str)).agg(["min", "max"])
    assert by_channel.loc["mail"].tolist() == [0.0, 0.0]
    assert by_channel.loc["delivery"].tolist() == pytest.approx([TAX, TAX])


def test_shares_policy_ignores_the_offer():
    taste = Taste(shares=(0.2, 0.8), constants=(0.0, 0.0), per_cny=-1.0)
    assert CHOICE_POLICIES["shares"] is fixed_shares
    assert fixed_shares(taste, [(1e6, 0, 0, 0), (0, 0, 0, 1)]) == [0.2, 0.8]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"customers": {"segments": [{"choice": "probit"}]}}, "unknown choice policy 'probit'"),
        (
            {"customers": {"segments": [{"logit": {"constants": {"shop": 1.0}}}]}},
            r"customers.segments\[0\].logit.constants = \[.shop.\]: not among",
        ),
        (
            {"channels": {"mail": {"promise": None, "next_day": {"by": "18:00"}}}},
            "channels.mail.offer.promised_time: segment 'resident' chooses by logit",
        ),
    ],
)
def test_bad_choice_settings_name_the_key(change, message):
    raw = choice_scenario()
    for table, value in change.items():
        if table == "customers":
            raw["customers"]["segments"][0].update(value["segments"][0])
        else:
            for name, keys in value.items():
                raw[table][name].update(keys)
                raw[table][name] = {k: v for k, v in raw[table][name].items() if v is not None}
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(")):
        scenario_from_dict(raw, source="<choice>")


def test_bundled_choice_config_round_trips_and_repeats_itself():
    import tomllib

    from o2osim.scenario import dump_scenario, load_scenario

    from helpers import ROOT

    scenario = load_scenario(
        ROOT / "configs" / "wenzhou_channel_choice.toml",
        ["scenario.horizon=5d", "scenario.warmup=1d"],
    )
    again = scenario_from_dict(tomllib.loads(dump_scenario(scenario)), source="<dump>")
    assert again == scenario
    first, second = simulate(scenario, seed=7), simulate(again, seed=7)
    assert first.orders.equals(second.orders)
    orders = first.orders
    gave_up = orders[orders["outcome"].isin(["balked", "reneged"])]
    # Only take-away customers wait in person, and only at the store's checkout.
    assert set(gave_up["channel"]) == {"store_pickup"}
    assert set(gave_up["failed_at"]) == {"front_pick"}
    shares = first.kpis.query("group == 'choice' and name == 'resident'")["value"]
    assert shares.sum() == pytest.approx(1.0)


def test_a_channel_that_does_not_reach_the_home_is_not_offered():
    # Homes 3 km away, delivery only within 2 km: the logit runs over store and mail,
    # so nobody picks delivery and nobody is refused for distance.
    raw = choice_scenario()
    raw["channels"]["delivery"]["max_distance_km"] = 2.0
    orders = simulate(scenario_from_dict(raw, source="<choice>"), seed=2).orders
    assert (orders["channel"] != "delivery").all()
    assert not (orders["outcome"] == "rejected").any()
    assert (orders["channel"] == "store").mean() > 0.9  # mail's e^-3.36 is the rest
