"""Scenario schema of the instant-retail store format: a delivery radius and totes.

The best-known instant-retail format in China (Hema: 30 minutes within 3 km) is a store
that is also the front warehouse: pickers walk the shop floor, put an order's lines into
a tote that travels (on a conveyor) to the packing point, and a rider takes it to a home
within a few km. ``[instant.CHANNEL]`` adds to a delivering channel the delivery
radius (straight-line km from its depot, the app's delivery area) with what a customer
beyond it does (``beyond_radius``: shop in the store through ``store_channel``, or is
not served), the tote's travel from the picker to the packing point (stage ``tote``) and
the packers there (stage ``pack_point``: ``packers`` servers, ``pack_time`` per order).
The 30-minute promise is the channel's own ``promise``.

Pure data and the checks across tables these keys need (:func:`check_instant`); this
module must not import the runtime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from .errors import KeyPathError
from .types import Name, Servers, Strict, TimeDist

if TYPE_CHECKING:
    from .root import Scenario


class InstantChannel(Strict):
    """A delivery radius and a tote conveyor for one delivering channel."""

    radius_km: Annotated[float, Field(gt=0, le=1000)] | None = Field(
        default=None,
        description="straight-line km from the channel's depot within which it delivers; "
        "None: no radius",
    )
    beyond_radius: Literal["store", "refused"] = Field(
        default="refused",
        description="a customer beyond the radius cannot choose delivery: 'store' shops "
        "in the store instead (through store_channel), 'refused' is not served (the "
        "order ends rejected, out_of_area)",
    )
    store_channel: Name | None = Field(
        default=None, description="beyond_radius = 'store': the channel used instead"
    )
    tote_travel: TimeDist | None = Field(
        default=None,
        description="stage tote: from the picker to the packing point, minutes (a "
        "conveyor carries any number of totes at once)",
    )
    packers: Servers | None = Field(
        default=None, description="stage pack_point: packers at the packing point"
    )
    pack_time: TimeDist | None = Field(
        default=None, description="stage pack_point: one packer's time per order, minutes"
    )

    @model_validator(mode="after")
    def _store(self) -> InstantChannel:
        if self.beyond_radius == "store" and self.store_channel is None:
            raise ValueError("beyond_radius = 'store' needs store_channel")
        if self.beyond_radius == "refused" and self.store_channel is not None:
            raise ValueError("store_channel is used only with beyond_radius = 'store'")
        return self


def check_instant(sc: Scenario) -> None:
    """Raise :class:`KeyPathError` for the first instant-format key that does not fit."""
    instant = sc.instant or {}
    for name, channel in sc.channels.items():
        if "tote" in channel.route and (name not in instant or not instant[name].tote_travel):
            raise KeyPathError(
                f"channels.{name}.route",
                channel.route,
                f"stage 'tote' needs [instant.{name}] with tote_travel",
            )
    _check_packing(sc)
    for name, spec in instant.items():
        path = f"instant.{name}"
        if name not in sc.channels:
            raise KeyPathError(
                path, name, f"no channel of that name; channels: {', '.join(sc.channels)}"
            )
        if spec.radius_km is not None and "deliver" not in sc.channels[name].route:
            raise KeyPathError(
                f"{path}.radius_km", spec.radius_km, "a radius belongs to a channel that delivers"
            )
        if spec.store_channel is not None:
            _check_store_channel(sc, name, spec.store_channel)


def require_fallback(sc: Scenario, name: str, other: str, who: str) -> None:
    """Every segment that uses channel ``name`` also uses ``other``, where some of its
    orders go instead (``who`` says which, e.g. "customers beyond the radius shop")."""
    for i, seg in enumerate(sc.customers.segments):
        if name in seg.channels and other not in seg.channels:
            raise KeyPathError(
                f"customers.segments[{i}].channels",
                seg.channels,
                f"segment {seg.name!r} uses {name!r}, whose {who} through {other!r}: "
                f"add {other!r} to its channels",
            )


def _check_store_channel(sc: Scenario, name: str, store: str) -> None:
    instant = sc.instant or {}
    path = f"instant.{name}.store_channel"
    if store not in sc.channels or store == name:
        others = [c for c in sc.channels if c != name]
        raise KeyPathError(path, store, f"another channel is needed; channels: {', '.join(others)}")
    if store in instant and instant[store].radius_km is not None:
        raise KeyPathError(path, store, "the store channel must not have a radius itself")
    require_fallback(sc, name, store, "customers beyond the radius shop")
    if sc.channels[store].slots is not None:
        raise KeyPathError(path, store, "the store channel must not use presale slots")


def _check_packing(sc: Scenario) -> None:
    """Stage ``pack_point`` has its packers; there is one packing point per run."""
    instant = sc.instant or {}
    packing = [n for n, c in sc.channels.items() if "pack_point" in c.route]
    for name in packing:
        spec = instant.get(name)
        if spec is None or spec.packers is None or spec.pack_time is None:
            raise KeyPathError(
                f"channels.{name}.route",
                sc.channels[name].route,
                f"stage 'pack_point' needs [instant.{name}] with packers and pack_time",
            )
        if "pack" in sc.channels[name].route:
            raise KeyPathError(
                f"channels.{name}.route",
                sc.channels[name].route,
                "'pack' (the bonded warehouse's packers) and 'pack_point' do not go together",
            )
    if len(packing) > 1:
        raise KeyPathError(
            f"channels.{packing[1]}.route",
            sc.channels[packing[1]].route,
            f"one packing point per run: {packing[0]!r} has the stage 'pack_point' already",
        )
    for name, spec in instant.items():
        if (spec.packers is not None or spec.pack_time is not None) and name not in packing:
            raise KeyPathError(
                f"instant.{name}.packers",
                spec.packers,
                "packers and pack_time belong to a channel whose route has 'pack_point'",
            )
