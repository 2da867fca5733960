"""Every route is legal: bonded goods clear customs before a domestic hand-over."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from o2osim.bundled import bundled_scenarios
from o2osim.scenario import STAGE_ROWS, ScenarioError, load_scenario, scenario_from_dict

from helpers import ROOT, exports

HUB = ROOT / "configs" / "wenzhou_channel_choice.toml"


def hub_with(channel: str, **keys: Any) -> dict[str, Any]:
    data = tomllib.loads(HUB.read_text(encoding="utf-8"))
    data["channels"][channel].update(keys)
    return data


def refusal(data: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, source="hub.toml")
    return str(info.value)


@pytest.mark.parametrize(
    ("channel", "route"),
    [
        ("instant_delivery", ["reserve", "front_pick", "deliver"]),  # rider from the store
        ("store_pickup", ["reserve", "front_pick"]),  # take-away at the store's counter
        ("online_delivery", ["reserve", "pick", "pack", "deliver"]),
    ],
)
def test_bonded_goods_without_customs_are_refused_in_one_line(
    channel: str, route: list[str]
) -> None:
    line = refusal(hub_with(channel, route=route))
    fixed = [route[0], "customs", *route[1:]]
    assert line == (
        f"hub.toml: channels.{channel}.route = {route!r}: takes bonded goods from the "
        f"stock pool (reserve) to a domestic customer ({route[-1]}) without clearing "
        f'customs; add the stage: route = {fixed!r}, or set goods = "duty_paid" if they '
        "were imported under general trade"
    )


def test_every_hand_over_stage_is_checked() -> None:
    """The rule covers every stage that ends an order at the customer."""
    ending = {name for name, row in STAGE_ROWS.items() if row.terminal} | {"front_pick"}
    store = tomllib.loads(
        (ROOT / "configs" / "hangzhou_xiasha_bonded.toml").read_text(encoding="utf-8")
    )
    store["channels"]["store_takeaway"]["route"] = ["store_visit", "reserve", "pick", "collect"]
    assert "(collect) without clearing customs" in refusal(store)
    assert {"collect", "deliver", "regional", "courier", "pickup", "front_pick"} == ending


def test_duty_paid_goods_or_customs_make_the_route_legal() -> None:
    duty_paid = hub_with("store_pickup", route=["reserve", "front_pick"], goods="duty_paid")
    assert scenario_from_dict(duty_paid).channels["store_pickup"].goods == "duty_paid"
    cleared = hub_with("store_pickup", route=["reserve", "customs", "front_pick"])
    assert scenario_from_dict(cleared).channels["store_pickup"].goods == "bonded"
    wrong = hub_with("store_pickup", goods="paid")
    assert "channels.store_pickup.goods = 'paid'" in refusal(wrong)


def test_a_route_ending_in_the_warehouse_hands_nothing_over() -> None:
    """Stripped-down teaching routes (a stock pool alone, a picker queue) stay valid."""
    data = hub_with("online_delivery", route=["reserve", "pick"])
    assert scenario_from_dict(data).channels["online_delivery"].route == ["reserve", "pick"]


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda p: p.stem)
def test_every_bundled_scenario_is_legal(path: Path) -> None:
    scenario = load_scenario(path)
    for name, channel in scenario.channels.items():
        if "reserve" in channel.route and channel.goods == "bonded":
            assert "customs" in channel.route, name


@pytest.mark.parametrize("network", sorted((ROOT / "configs" / "networks").glob("*.toml")))
def test_every_bundled_network_is_legal(tmp_path: Path, network: Path) -> None:
    path = tmp_path / "s.toml"
    # An export network sells to a foreign market's shoppers, an import one to Wenzhou's.
    market = "eu_shoes" if exports(network) else "wenzhou"
    path.write_text(f'market = "{market}"\nnetwork = "{network.stem}"\n', encoding="utf-8")
    for channel in load_scenario(path).channels.values():
        if "reserve" in channel.route and channel.goods == "bonded":
            assert "customs" in channel.route
