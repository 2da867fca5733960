"""Markets and networks: a scenario written as a market file plus a network file.

A *market* (``configs/markets/NAME.toml``) holds what a layout cannot change: the run's
calendar (``[market]``: start, horizon, warm-up, seed), the city plane, the customer
segments and their demand, the catalogue, the choice tastes, and the travellers' side of
an airport (flights, pre-order behaviour). A *network* (``configs/networks/NAME.toml``)
holds what the retailer decides: ``[network]`` (name, layout), facilities, channels and
routes, staffing, fleets, stock policies, promises, its own costs, and per market segment
``[segments.NAME]`` which of its channels the segment may use (``channels``,
``channel_shares``, ``choice``, ``logit.constants``, where it queues in person:
``patience.at`` / ``patience.channels``, ``journeys``, ``store``).

A scenario file with top-level ``market = "..."`` and ``network = "..."`` (paths relative
to it, or bundled names) is composed here into the ordinary scenario data; its own
tables (``[scenario]``, ``[segments.NAME]``, any other table) are then laid over it.
:class:`Composed` remembers which file and key wrote every part of the result, so a
message names that file and the key path as that file writes it.

Units are those of the scenario (:mod:`o2osim.scenario`). This module reads only the
market and network files a scenario names; it must not validate a scenario (the caller
does, once), nor import the schema or the runtime.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ScenarioError, key_text, printable
from .parts import check_market, check_network, part_path

Origin = tuple[str, str]  # (file as messages name it, key path as that file writes it)


@dataclass
class Composed:
    """The composed scenario data and where each part of it was written."""

    data: dict[str, Any]
    origins: dict[str, Origin] = field(default_factory=dict)
    source: str = "<scenario>"

    def locate(self, path: str) -> Origin:
        """The file and key path that wrote ``path`` of the composed data (or a table
        above it); the scenario file itself when none did."""
        rest, probe = "", path
        while probe:
            if probe in self.origins:
                file, written = self.origins[probe]
                return file, written + rest
            match = re.search(r"(\.[^.\[]+|\[\d+\])$", probe)
            if match is None:
                break
            rest = match.group(0) + rest
            probe = probe[: match.start()]
        return self.source, path


def is_composed(raw: dict[str, Any]) -> bool:
    """Does the scenario file name a market or a network?"""
    return "market" in raw or "network" in raw


def compose(
    raw: dict[str, Any],
    source: str,
    base: Path | None,
    read: Callable[[Path], dict[str, Any]],
) -> Composed:
    """Compose a scenario file that names a market and a network.

    ``read`` reads a TOML file into data (one :class:`ScenarioError` line on failure).
    """
    for kind in ("market", "network"):
        if kind not in raw:
            other = "network" if kind == "market" else "market"
            raise ScenarioError(
                f'{source}: {kind}: required key is missing; a scenario with {other} = "..." '
                f"needs both a market and a network"
            )
    overlay = {k: v for k, v in raw.items() if k not in ("market", "network")}
    market_file = part_path(raw["market"], "market", base, source)
    network_file = part_path(raw["network"], "network", base, source)
    market, network = read(market_file), read(network_file)
    return compose_parts(
        (printable(str(market_file)), market),
        (printable(str(network_file)), network),
        (source, overlay),
    )


def compose_parts(
    market: tuple[str, dict[str, Any]],
    network: tuple[str, dict[str, Any]],
    overlay: tuple[str, dict[str, Any]] | None = None,
) -> Composed:
    """The scenario data of a market and a network (each ``(file name, data)``), with the
    scenario file's own tables (``overlay``) laid over them."""
    (mfile, mraw), (nfile, nraw) = market, network
    check_market(mfile, mraw)
    check_network(nfile, nraw, mfile, mraw)
    out = Composed({}, source=overlay[0] if overlay else nfile)
    mmeta, nmeta = dict(mraw.get("market", {})), dict(nraw.get("network", {}))
    oscen = dict(overlay[1].get("scenario", {})) if overlay else {}
    mname, nname = mmeta.pop("name", "market"), nmeta.get("name", "network")
    scenario: dict[str, Any] = {"name": f"{mname}_{nname}"}
    scenario.update({k: nmeta[k] for k in ("layout", "description") if k in nmeta})
    out.origins["scenario.name"] = (mfile, "market.name")
    for key in ("layout", "description"):
        out.origins[f"scenario.{key}"] = (nfile, f"network.{key}")
    mmeta.pop("description", None)
    for key, value in mmeta.items():
        scenario[key] = value
        out.origins[f"scenario.{key}"] = (mfile, f"market.{key}")
    out.data["scenario"] = scenario
    out.origins["scenario"] = (mfile, "market")
    served = _served(nraw)
    segments = [s for s in mraw.get("customers", {}).get("segments", []) if s["name"] in served]
    index = {s["name"]: i for i, s in enumerate(segments)}
    _lay_market(out, mfile, mraw, index, has_airport="airport" in nraw)
    _lay_network(out, nfile, nraw, index)
    _drop_unused_patience(out.data)
    if overlay:
        _lay_overlay(out, overlay[0], overlay[1], index, oscen)
    return out


def _served(nraw: dict[str, Any]) -> set[str]:
    return {name for name, t in nraw.get("segments", {}).items() if t.get("channels")}


def _record(out: Composed, path: str, origin: Origin, node: Any = None) -> None:
    """Remember ``origin`` for ``path`` and everything under it."""
    out.origins[path] = origin
    stack = [(path, origin[1], node)]
    while stack:
        here, written, value = stack.pop()
        out.origins[here] = (origin[0], written)
        if isinstance(value, dict):
            stack += [
                (f"{here}.{key_text(k)}", f"{written}.{key_text(k)}", v) for k, v in value.items()
            ]
        elif isinstance(value, list):
            stack += [(f"{here}[{i}]", f"{written}[{i}]", v) for i, v in enumerate(value)]


def _merge(
    out: Composed,
    path: str,
    dst: dict[str, Any],
    key: str,
    value: Any,
    origin: Origin,
    overwrite: bool,
) -> None:
    """Lay ``value`` at ``dst[key]``: tables merge key by key; a key written twice is an
    error unless ``overwrite`` (the scenario file's own tables win)."""
    here = f"{path}.{key_text(key)}" if path else key_text(key)
    if key in dst and isinstance(dst[key], dict) and isinstance(value, dict):
        for sub, inner in value.items():
            _merge(
                out,
                here,
                dst[key],
                sub,
                inner,
                (origin[0], f"{origin[1]}.{key_text(sub)}"),
                overwrite,
            )
        return
    if key in dst and not overwrite:
        first = out.locate(here)
        raise ScenarioError(
            f"{origin[0]}: {origin[1]}: also set by {first[0]} ({first[1]}); a key belongs "
            "to the market or to the network, not both"
        )
    dst[key] = copy.deepcopy(value)
    _record(out, here, origin, value)


def _lay_market(
    out: Composed, file: str, raw: dict[str, Any], index: dict[str, int], has_airport: bool
) -> None:
    for key, value in raw.items():
        if key == "market" or (key == "airport" and not has_airport):
            continue
        if key != "customers":
            _merge(out, "", out.data, key, value, (file, key_text(key)), False)
            continue
        customers: dict[str, Any] = {"segments": [], "calendar": []}
        out.data["customers"] = customers
        out.origins["customers"] = (file, "customers")
        for i, seg in enumerate(value.get("segments", [])):
            if seg["name"] in index:
                where = f"customers.segments[{index[seg['name']]}]"
                customers["segments"].append(copy.deepcopy(seg))
                _record(out, where, (file, f"customers.segments[{i}]"), seg)
        for i, event in enumerate(value.get("calendar", [])):
            event = copy.deepcopy(event)
            names = event.get("segments")
            if isinstance(names, list) and names:
                event["segments"] = [n for n in names if n in index or not isinstance(n, str)]
                if not event["segments"]:
                    continue  # only segments this network leaves unserved
            where = f"customers.calendar[{len(customers['calendar'])}]"
            customers["calendar"].append(event)
            _record(out, where, (file, f"customers.calendar[{i}]"), event)
        for key2 in value:
            if key2 not in ("segments", "calendar"):
                _merge(
                    out,
                    "customers",
                    customers,
                    key2,
                    value[key2],
                    (file, f"customers.{key_text(key2)}"),
                    False,
                )


def _lay_segments(
    out: Composed, file: str, tables: dict[str, Any], index: dict[str, int], overwrite: bool
) -> None:
    segments = out.data.setdefault("customers", {}).setdefault("segments", [])
    for name, table in tables.items():
        if name not in index:
            continue  # unserved (checked against the market before)
        target = segments[index[name]]
        where = f"customers.segments[{index[name]}]"
        for key, value in table.items():
            _merge(
                out,
                where,
                target,
                key,
                value,
                (file, f"segments.{key_text(name)}.{key_text(key)}"),
                overwrite,
            )


def _lay_network(out: Composed, file: str, raw: dict[str, Any], index: dict[str, int]) -> None:
    for key, value in raw.items():
        if key == "network":
            continue
        if key == "segments":
            _lay_segments(out, file, value, index, False)
            continue
        _merge(out, "", out.data, key, value, (file, key_text(key)), False)


def _drop_unused_patience(data: dict[str, Any]) -> None:
    """The market says how patient people are; a network that names no queue where they
    wait in person (``patience.at``) has none, so the market's patience is not used."""
    for seg in data.get("customers", {}).get("segments", []):
        patience = seg.get("patience")
        if isinstance(patience, dict) and "at" not in patience:
            del seg["patience"]


def _lay_overlay(
    out: Composed, file: str, raw: dict[str, Any], index: dict[str, int], scen: dict[str, Any]
) -> None:
    """The scenario file's own tables win over the market's and the network's."""
    for key, value in scen.items():
        _merge(out, "scenario", out.data["scenario"], key, value, (file, f"scenario.{key}"), True)
    for key, value in raw.items():
        if key == "scenario":
            continue
        if key == "segments" and isinstance(value, dict):
            unknown = [n for n in value if n not in index]
            if unknown:
                raise ScenarioError(
                    f"{file}: segments.{key_text(unknown[0])}: no such segment in this "
                    f"market and network; segments: {', '.join(index)}"
                )
            _lay_segments(out, file, value, index, True)
            continue
        _merge(out, "", out.data, key, value, (file, key_text(key)), True)
