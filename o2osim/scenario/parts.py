"""What a market file and a network file may hold, where they are, and demand scaling.

The ownership rules of :mod:`o2osim.scenario.compose`: which tables a market holds,
which keys of a segment a network sets; where a market or network named by a scenario
or experiment is found (a path, or a bundled name in ``configs/markets/`` and
``configs/networks/``); and :func:`scale_demand`, the demand factor (arrivals a day and
the travellers' pre-order share times a number). Every problem is one
:class:`ScenarioError` line naming the file and the key path as that file writes it.
This module must not validate a scenario, nor import the schema or the runtime.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from ..bundled import BUNDLED
from .errors import ScenarioError, key_text, printable

#: Tables a market may hold; everything else is a network's (or the scenario file's).
MARKET_TABLES = ("market", "city", "customers", "catalogue", "airport", "trade")
#: Tables only a market (or the scenario file) may hold.
MARKET_ONLY = ("market", "city", "customers", "catalogue", "scenario", "trade")
#: Keys of a network's ``[segments.NAME]``: each names the network's channels or queues.
NETWORK_SEGMENT_KEYS: tuple[str, ...] = (
    "channels",
    "channel_shares",
    "choice",
    "logit",
    "patience",
    "journeys",
    "store",
)
#: Keys a market's segment may not hold (they name channels or queues); ``choice`` may be
#: in either file.
MARKET_SEGMENT_FORBIDDEN = tuple(k for k in NETWORK_SEGMENT_KEYS if k != "choice")
#: Of those tables, the keys a network may set (the rest are the market's tastes).
NETWORK_SUBKEYS = {"logit": ("constants",), "patience": ("at", "channels")}
#: Keys of a network's ``[network]`` table.
NETWORK_META = ("name", "layout", "description")


def part_path(text: Any, kind: str, base: Path | None, where: str, key: str | None = None) -> Path:
    """The file of a market or network: a path (relative to ``base``) or a bundled name.

    ``kind`` is ``"market"`` or ``"network"``; bundled ones live in ``configs/markets/``
    and ``configs/networks/``. Messages start ``where: key = text`` (``key``: ``kind``).
    """
    folder = BUNDLED / f"{kind}s"
    key = key or kind
    if not isinstance(text, str) or not text:
        raise ScenarioError(
            f"{where}: {key} = {text!r}: give the {kind} file (relative to this file) or "
            f"a bundled {kind}'s name: {', '.join(bundled_parts(kind)) or 'none'}"
        )
    path = Path(text)
    if not path.is_absolute() and base is not None:
        path = base / path
    if path.is_file():
        return path
    candidate = folder / f"{text}.toml"
    if Path(text).name == text and not Path(text).suffix and candidate.is_file():
        return candidate
    raise ScenarioError(
        f"{where}: {key} = {text!r}: no such file ({printable(str(path))}); give a {kind} "
        f"file, relative to this file, or a bundled {kind}: "
        f"{', '.join(bundled_parts(kind)) or 'none installed'}"
    )


def bundled_parts(kind: str) -> list[str]:
    """Names of the bundled markets or networks."""
    folder = BUNDLED / f"{kind}s"
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def check_market(file: str, raw: dict[str, Any]) -> None:
    """What a market file holds: its tables, ``[market]``, segments that name no channel."""
    for key in raw:
        if key not in MARKET_TABLES:
            raise ScenarioError(
                f"{file}: {key_text(key)}: not a market table; a market holds "
                f"{', '.join(MARKET_TABLES)}; {key_text(key)} belongs in a network"
            )
    meta = raw.get("market")
    if not isinstance(meta, dict) or "name" not in meta:
        raise ScenarioError(f"{file}: market.name: required key is missing (a [market] table)")
    if "layout" in meta:
        raise ScenarioError(f"{file}: market.layout: a layout is the network's ([network])")
    segments = raw.get("customers", {}).get("segments", [])
    if not isinstance(segments, list) or not all(
        isinstance(s, dict) and isinstance(s.get("name"), str) for s in segments
    ):
        raise ScenarioError(f"{file}: customers.segments: give [[customers.segments]] with names")
    for i, seg in enumerate(segments):
        for key, sub in seg.items():
            if key not in MARKET_SEGMENT_FORBIDDEN:
                continue
            named = NETWORK_SUBKEYS.get(key)
            hits = [k for k in named if k in sub] if named and isinstance(sub, dict) else []
            if named and not hits:
                continue
            where = f"{key}.{hits[0]}" if hits else key
            raise ScenarioError(
                f"{file}: customers.segments[{i}].{where}: names the network's channels "
                f"or queues, so it belongs in each network file, under "
                f"[segments.{seg['name']}]"
            )


def check_network(nfile: str, raw: dict[str, Any], mfile: str, market: dict[str, Any]) -> None:
    """What a network file holds: no market table, one ``[segments.NAME]`` per market
    segment, with only the keys that name its channels and queues."""
    for key in raw:
        if key in MARKET_ONLY:
            raise ScenarioError(
                f"{nfile}: {key_text(key)}: belongs to the market ({mfile}) or the scenario "
                "file; a network holds facilities, channels, staffing, fleets, stock and costs"
            )
    meta = raw.get("network", {})
    for key in meta if isinstance(meta, dict) else ["network"]:
        if key not in NETWORK_META:
            raise ScenarioError(
                f"{nfile}: network.{key_text(key)}: unknown key (allowed here: "
                f"{', '.join(NETWORK_META)})"
            )
    names = [s["name"] for s in market.get("customers", {}).get("segments", [])]
    tables = raw.get("segments", {})
    if not isinstance(tables, dict):
        raise ScenarioError(f"{nfile}: segments: give one [segments.NAME] table per segment")
    for name, table in tables.items():
        if name not in names:
            raise ScenarioError(
                f"{nfile}: segments.{key_text(name)}: the market ({mfile}) has no segment "
                f"{name!r}; its segments: {', '.join(names)}"
            )
        if not isinstance(table, dict) or "channels" not in table:
            raise ScenarioError(
                f"{nfile}: segments.{key_text(name)}.channels: required key is missing "
                "(the network's channels this segment may use; [] leaves it unserved)"
            )
        for key, value in table.items():
            allowed = NETWORK_SUBKEYS.get(key)
            stray = (
                [k for k in value if k not in allowed]
                if allowed and isinstance(value, dict)
                else ([] if key in NETWORK_SEGMENT_KEYS else [None])
            )
            if stray:
                shown = key if stray[0] is None else f"{key}.{stray[0]}"
                raise ScenarioError(
                    f"{nfile}: segments.{key_text(name)}.{shown}: belongs to the market "
                    f"({mfile}); a network sets only {', '.join(NETWORK_SEGMENT_KEYS)} "
                    "(logit: only constants; patience: only at and channels)"
                )
    for name in names:
        if name not in tables:
            raise ScenarioError(
                f"{nfile}: segments: no [segments.{name}] for the market's segment {name!r} "
                f"({mfile}); give its channels, or channels = [] to leave it unserved"
            )


def scale_demand(data: dict[str, Any], factor: float) -> dict[str, Any]:
    """A copy of scenario data with every segment's demand times ``factor``.

    Poisson segments: ``arrivals_per_day``; travellers: the airport's
    ``preorder_share`` (at most 1).
    """
    data = copy.deepcopy(data)
    for seg in data.get("customers", {}).get("segments", []):
        if isinstance(seg, dict) and isinstance(seg.get("arrivals_per_day"), int | float):
            seg["arrivals_per_day"] = seg["arrivals_per_day"] * factor
    airport = data.get("airport")
    if isinstance(airport, dict) and airport.get("flights") is not None:
        share = airport.get("preorder_share", 0.15)
        if isinstance(share, int | float):
            airport["preorder_share"] = min(1.0, share * factor)
    return data
