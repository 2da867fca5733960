"""Common random numbers across layouts: every network on a market sees the same customers.

Replication r of each of the five Wenzhou layouts draws the same arrivals, baskets,
values, homes and customer identities; only what the layout changes (the channel chosen
among those it offers, service, stock) differs. Orders the layout itself creates (split
parts, showroom orders, switch-channel resubmissions: they have a parent) and orders
whose basket the layout's stock changed (a substitute) are left out.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from o2osim.api import simulate
from o2osim.scenario import load_scenario, scenario_from_dict, scenario_to_dict

LAYOUTS = (
    "direct_mail",
    "bonded_front_store",
    "airport_pickup",
    "instant_delivery",
    "omnichannel_hub",
)
#: What a customer brings, whatever the layout.
CUSTOMER = ["placed", "segment", "skus", "lines", "value_cny", "x_km", "y_km", "customer"]
FIRST = 1500


def customers(tmp_path: Path, layout: str, seed: int, memory: bool = False) -> pd.DataFrame:
    path = tmp_path / f"{layout}.toml"
    path.write_text(f'market = "wenzhou"\nnetwork = "{layout}"\n', encoding="utf-8")
    scenario = load_scenario(path, ['scenario.horizon="2d"', 'scenario.warmup="0s"'])
    if memory:  # remembering residents: some stay away after a bad order
        data = scenario_to_dict(scenario)
        data["customers"]["segments"][0]["memory"] = {"late_loss": 0.9, "failed_loss": 0.9}
        scenario = scenario_from_dict(data)
    orders = simulate(scenario, seed=seed).orders
    own = orders[(orders["parent"] < 0) & orders["substituted"].isna()]
    own = own[own["segment"] != "traveller"]
    return own.assign(segment=own["segment"].astype(str))  # categories differ by layout


@pytest.mark.parametrize("seed", [1, 2])
def test_every_layout_sees_the_same_customers(tmp_path: Path, seed: int) -> None:
    tables = {layout: customers(tmp_path, layout, seed) for layout in LAYOUTS}
    reference = tables["omnichannel_hub"]
    for segment in ("resident", "sme_buyer"):
        expected = reference[reference["segment"] == segment].head(FIRST)[CUSTOMER]
        assert len(expected) >= 500  # two days of the market's demand
        for layout, orders in tables.items():
            got = orders[orders["segment"] == segment].head(FIRST)[CUSTOMER]
            pd.testing.assert_frame_equal(
                got.reset_index(drop=True), expected.reset_index(drop=True), obj=layout
            )
    # ... while what the layout decides differs: the channels the customers end up on.
    channels = {layout: set(t["channel"]) for layout, t in tables.items()}
    assert channels["direct_mail"] == {"direct_mail"}
    assert channels["omnichannel_hub"] == {"online_delivery", "instant_delivery", "store_pickup"}


def test_an_arrival_who_stays_away_keeps_the_next_ones_baskets(tmp_path: Path) -> None:
    """With memory, arrival k is the same customer and basket in every layout: only
    whether they come back depends on the service they had."""
    slow = customers(tmp_path, "direct_mail", 3, memory=True)
    fast = customers(tmp_path, "omnichannel_hub", 3, memory=True)
    a, b = (t[t["segment"] == "resident"].set_index("placed")[CUSTOMER[1:]] for t in (slow, fast))
    both = a.index.intersection(b.index)
    assert len(b) < len(a) and len(both) >= 1000  # some of the hub's residents stayed away
    pd.testing.assert_frame_equal(a.loc[both], b.loc[both])
