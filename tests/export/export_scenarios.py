"""Export scenarios for the tests: a bundled market with a bundled export network, stripped
down or changed key by key (dotted paths into the composed scenario data)."""

from __future__ import annotations

from typing import Any

from o2osim.bundled import BUNDLED
from o2osim.scenario import Scenario, read_toml, scenario_from_dict
from o2osim.scenario.compose import compose_parts

#: A short calendar for the EU market: 10 June to 15 July 2026, counted from 17 June, so
#: 1 July falls inside (the market's own calendar warms the warehouse up for 7 weeks).
SHORT_EU = {"scenario.start": "2026-06-10", "scenario.warmup": "7d", "scenario.horizon": "35d"}


def export_scenario(market: str, network: str, **changes: Any) -> Scenario:
    """The bundled ``market`` x ``network`` with ``changes`` laid over the composed data
    (keys are dotted paths: ``"warehouse.replenishment"``; a value None removes the key)."""
    parts = [(f"{kind}s/{name}.toml", read_toml(BUNDLED / f"{kind}s" / f"{name}.toml"))
             for kind, name in (("market", market), ("network", network))]  # fmt: skip
    data = compose_parts(parts[0], parts[1]).data
    for path, value in changes.items():
        *heads, last = path.split(".")
        node = data
        for head in heads:
            node = node[int(head)] if isinstance(node, list) else node.setdefault(head, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return scenario_from_dict(data, source=f"{market}+{network}")


def one_line_shoes(network: str, price_cny: float, **changes: Any) -> Scenario:
    """EU shoes with one leather pair per order at one price, no returns: every parcel is
    one tariff item of a known value."""
    return export_scenario(
        "eu_shoes",
        network,
        **{
            "catalogue.items_per_order": 1.0,
            "catalogue.price_cny": {"dist": "deterministic", "value": price_cny},
            "catalogue.categories": [{"name": "leather_shoes", "share": 1.0}],
            **changes,
        },
    )
