"""A scenario as a market file plus a network file: composition, ownership and messages."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from o2osim.scenario import (
    ScenarioError,
    bundled_parts,
    dump_scenario,
    load_scenario,
    scenario_from_dict,
)

from helpers import ROOT

MARKET = ROOT / "configs" / "markets" / "wenzhou.toml"
NETWORKS = ROOT / "configs" / "networks"
LAYOUTS = [
    "direct_mail",
    "bonded_front_store",
    "airport_pickup",
    "instant_delivery",
    "omnichannel_hub",
]


def read(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def write(folder: Path, name: str, data: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def compose_files(
    tmp_path: Path,
    market: dict[str, Any] | None = None,
    network: dict[str, Any] | None = None,
    scenario: dict[str, Any] | None = None,
) -> Path:
    """A market, a network (the hub's by default) and a scenario naming both, in tmp_path."""
    write(tmp_path, "market.toml", market if market is not None else read(MARKET))
    hub = read(NETWORKS / "omnichannel_hub.toml")
    write(tmp_path, "network.toml", network if network is not None else hub)
    text = {"market": "market.toml", "network": "network.toml", **(scenario or {})}
    return write(tmp_path, "scenario.toml", text)


def error_of(path: Path, overrides: list[str] | None = None) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    line = str(info.value)
    assert "\n" not in line
    return line


def test_bundled_markets_and_networks_are_listed() -> None:
    assert bundled_parts("market") == ["eu_shoes", "us_eyewear", "wenzhou"]
    exports = ["export_both", "export_direct_mail", "export_overseas_warehouse"]  # docs/export.md
    assert sorted(bundled_parts("network")) == sorted([*LAYOUTS, *exports])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_network_composes_with_the_market_by_bundled_name(
    tmp_path: Path, layout: str
) -> None:
    path = write(tmp_path, "s.toml", {"market": "wenzhou", "network": layout})
    scenario = load_scenario(path)
    meta = scenario.scenario
    assert (meta.name, meta.layout) == (f"wenzhou_{layout}", layout)
    market = read(MARKET)["market"]
    assert (meta.start, meta.seed) == (market["start"], market["seed"])
    assert meta.horizon == 28 * 1440 and meta.warmup == 14 * 1440
    # The market's demand and catalogue, whatever the layout.
    resident = next(s for s in scenario.customers.segments if s.name == "resident")
    assert resident.arrivals_per_day == 3000 and resident.around == "centre"
    assert scenario.catalogue.skus == 3000
    # The resolved scenario is one self-contained TOML that loads to the same scenario.
    again = scenario_from_dict(tomllib.loads(dump_scenario(scenario)), source="<dump>")
    assert again == scenario


def test_unserved_segments_and_their_airport_keys_are_left_out(tmp_path: Path) -> None:
    mail = load_scenario(write(tmp_path, "a.toml", {"market": "wenzhou", "network": "direct_mail"}))
    assert [s.name for s in mail.customers.segments] == ["resident", "sme_buyer"]
    assert mail.airport is None
    airport = load_scenario(
        write(tmp_path, "b.toml", {"market": "wenzhou", "network": "airport_pickup"})
    )
    assert [s.name for s in airport.customers.segments] == ["resident", "sme_buyer", "traveller"]
    assert airport.airport is not None and airport.airport.flights is not None
    assert airport.airport.preorder_share == read(MARKET)["airport"]["preorder_share"]
    assert airport.airport.counters == 3  # the network's key, merged into the same table


def test_patience_applies_only_where_the_network_queues_customers(tmp_path: Path) -> None:
    hub = load_scenario(
        write(tmp_path, "a.toml", {"market": "wenzhou", "network": "omnichannel_hub"})
    )
    resident = hub.customers.segments[0]
    assert resident.patience is not None
    assert (resident.patience.at, resident.patience.channels) == (["front_pick"], ["store_pickup"])
    assert resident.patience.balk_at == 12  # the market's taste
    mail = load_scenario(write(tmp_path, "b.toml", {"market": "wenzhou", "network": "direct_mail"}))
    assert mail.customers.segments[0].patience is None


def test_the_scenario_files_own_tables_win(tmp_path: Path) -> None:
    path = compose_files(
        tmp_path,
        scenario={
            "scenario": {"name": "hub_short", "horizon": "3d", "warmup": "1d"},
            "segments": {"resident": {"arrivals_per_day": 500.0}},
            "warehouse": {"pickers": 20},
        },
    )
    scenario = load_scenario(path)
    assert scenario.scenario.name == "hub_short"
    assert scenario.scenario.horizon == 3 * 1440
    assert scenario.customers.segments[0].arrivals_per_day == 500
    assert scenario.warehouse is not None and scenario.warehouse.pickers == 20
    assert scenario.warehouse.packers == 4  # the rest of the network's table stays


def test_a_network_naming_a_segment_the_market_lacks_is_one_line(tmp_path: Path) -> None:
    network = read(NETWORKS / "omnichannel_hub.toml")
    network["segments"]["tourist"] = {"channels": ["online_delivery"]}
    line = error_of(compose_files(tmp_path, network=network))
    assert line == (
        f"{tmp_path / 'network.toml'}: segments.tourist: the market "
        f"({tmp_path / 'market.toml'}) has no segment 'tourist'; its segments: "
        "resident, sme_buyer, traveller"
    )


def test_a_network_must_say_what_each_market_segment_uses(tmp_path: Path) -> None:
    network = read(NETWORKS / "omnichannel_hub.toml")
    del network["segments"]["traveller"]
    line = error_of(compose_files(tmp_path, network=network))
    assert line.startswith(f"{tmp_path / 'network.toml'}: segments: no [segments.traveller]")
    assert "channels = [] to leave it unserved" in line


@pytest.mark.parametrize(
    ("where", "change", "file", "expected"),
    [
        (  # a wrong value in the network: its file and key path as it writes it
            "network",
            lambda d: d["channels"]["store_pickup"].update(promise="soon"),
            "network.toml",
            "channels.store_pickup.promise = 'soon'",
        ),
        (  # a segment key the network sets: segments.NAME, not customers.segments[i]
            "network",
            lambda d: d["segments"]["resident"].update(channels=["online_delivery", "teleport"]),
            "network.toml",
            "segments.resident.channels = 'teleport': channel 'teleport' is not defined",
        ),
        (  # a wrong value in the market
            "market",
            lambda d: d["customers"]["segments"][1].update(arrivals_per_day=-5),
            "market.toml",
            "customers.segments[1].arrivals_per_day = -5",
        ),
        (  # the market's run length
            "market",
            lambda d: d["market"].update(warmup="40d"),
            "market.toml",
            "market.warmup = '40d': must be shorter than scenario.horizon",
        ),
        (  # demand is the market's
            "network",
            lambda d: d["segments"]["resident"].update(arrivals_per_day=10),
            "network.toml",
            "segments.resident.arrivals_per_day: belongs to the market",
        ),
        (  # channels are the network's
            "market",
            lambda d: d["customers"]["segments"][0].update(channels=["online_delivery"]),
            "market.toml",
            "customers.segments[0].channels: names the network's channels",
        ),
        (  # facilities are the network's
            "market",
            lambda d: d.update(couriers={"riders": 3}),
            "market.toml",
            "couriers: not a market table",
        ),
        (  # the city is the market's
            "network",
            lambda d: d.update(city={"detour_factor": 1.0}),
            "network.toml",
            "city: belongs to the market",
        ),
        (  # one key, two owners
            "network",
            lambda d: d.update(airport={"preorder_share": 0.5, "counters": 2}),
            "network.toml",
            "airport.preorder_share: also set by",
        ),
    ],
)
def test_messages_name_the_file_and_key_at_fault(
    tmp_path: Path, where: str, change: Any, file: str, expected: str
) -> None:
    market = read(MARKET)
    network = read(NETWORKS / "omnichannel_hub.toml")
    change(market if where == "market" else network)
    line = error_of(compose_files(tmp_path, market=market, network=network))
    assert line.startswith(f"{tmp_path / file}: "), line
    assert expected in line, line


def test_an_override_at_fault_is_named_as_before(tmp_path: Path) -> None:
    line = error_of(compose_files(tmp_path), ["customers.segments.resident.arrivals_per_day=-1"])
    assert line.startswith(
        f"{tmp_path / 'scenario.toml'}: --set customers.segments.resident.arrivals_per_day=-1: "
    )


def test_a_missing_part_is_one_line(tmp_path: Path) -> None:
    only = write(tmp_path, "s.toml", {"market": "wenzhou"})
    assert "network: required key is missing" in error_of(only)
    wrong = write(tmp_path, "t.toml", {"market": "wenzhuo", "network": "direct_mail"})
    line = error_of(wrong)
    assert (
        "market = 'wenzhuo': no such file" in line
        and "bundled market: eu_shoes, us_eyewear, wenzhou" in line
    )


def test_homes_may_live_around_the_centre_but_no_depot_is_called_so(tmp_path: Path) -> None:
    network = read(NETWORKS / "omnichannel_hub.toml")
    network["depots"]["centre"] = network["depots"].pop("experience_store")
    line = error_of(compose_files(tmp_path, network=network))
    assert "depots.centre" in line and "centre of the city plane" in line
