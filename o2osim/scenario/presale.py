"""Scenario schema of the warehouse-club formats: presale batches and membership.

Li (2025, §3.2) describes Metro's "presale + instant delivery": members pre-order a
limited presale assortment for a delivery slot, the store picks those orders ahead of
the slot and delivers at the slot. ``[presale.CHANNEL]`` says, for a channel with
``slots`` whose route has the stage ``presale_batch`` (then ``front_pick``), when its
orders are released to the depot's pickers as one batch (``batch_lead`` before the slot
starts), how many orders one slot takes (``allotment_per_slot``: the limited presale
quantity; beyond it the presale is sold out), which SKUs the presale offers
(``assortment_skus`` or ``assortment_top``: a basket with any other SKU cannot be
presale), whether only members may order it (``members_only``) and where a customer
refused presale goes (``otherwise_channel``, else the sale is lost). ``[membership]``
is the warehouse club's paid membership: a share of the customers of the named segments
are members, they pay member prices (a discount on the retail price) and an annual fee
accrued per day as revenue.

Times are minutes (written with units), money CNY. Pure data and the checks across
tables these keys need (:func:`check_presale`); this module must not import the runtime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field, model_validator

from ..units import format_duration
from .errors import KeyPathError
from .instant import require_fallback
from .types import (
    Count,
    Duration,
    Money,
    Name,
    PositiveCount,
    Probability,
    Strict,
    as_written,
)

if TYPE_CHECKING:
    from .root import Scenario


class PresaleBatch(Strict):
    """How one presale channel's orders are picked: in one batch per slot, ahead of it."""

    batch_lead: Duration = Field(
        default=as_written("2h"),
        description="a slot's orders are released to the pickers as one batch this long "
        "before the slot starts, minutes; at most the slot's lead (the ordering window "
        "closes before the batch is picked)",
    )
    allotment_per_slot: PositiveCount | None = Field(
        default=None,
        description="the limited presale quantity: orders one slot takes; later orders "
        "for that slot are lost sales (sold out). None: no limit",
    )
    assortment_skus: list[Count] | None = Field(
        default=None,
        min_length=1,
        description="the presale assortment as SKU ids (0 is the most popular); a basket "
        "with any other SKU cannot be presale. None (and no assortment_top): the catalogue",
    )
    assortment_top: PositiveCount | None = Field(
        default=None,
        description="the presale assortment as this many most popular SKUs (ids 0 to "
        "N - 1); instead of assortment_skus",
    )
    members_only: bool = Field(
        default=False,
        description="only members ([membership]) may order presale; a non-member's order "
        "goes to otherwise_channel or is lost",
    )
    otherwise_channel: Name | None = Field(
        default=None,
        description="a customer refused presale (not a member, or a basket outside the "
        "assortment) orders through this channel instead; None: the sale is lost",
    )

    @model_validator(mode="after")
    def _one_assortment(self) -> PresaleBatch:
        if self.assortment_skus is not None and self.assortment_top is not None:
            raise ValueError("give assortment_skus or assortment_top, not both")
        return self

    @property
    def gated(self) -> bool:
        """Whether some orders asking for presale are refused at its entry."""
        limited = self.assortment_skus is not None or self.assortment_top is not None
        return limited or self.members_only


class Membership(Strict):
    """A warehouse club's paid membership (money: CNY).

    ``member_share`` of the customers (the finite ``population``) of each segment in
    ``segments`` are members: customers are numbered within the segment and the first
    ``floor(member_share * population)`` of them are the members, so the share of their
    orders is ``member_share`` on average. Members pay ``member_discount`` less than the
    retail price; every member pays ``fee_cny_per_year``, accrued per day as revenue.
    """

    fee_cny_per_year: Money = Field(description="annual membership fee per member, CNY")
    segments: list[Name] = Field(
        min_length=1, description="segments whose customers may be members (need population)"
    )
    member_share: Probability = Field(description="share of those customers who are members")
    member_discount: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        default=0.0, description="member prices: share off the retail price for members"
    )


def check_presale(sc: Scenario) -> None:
    """Raise :class:`KeyPathError` for the first presale or membership key that does not
    fit the rest of the scenario."""
    presale = sc.presale or {}
    batching = [n for n, c in sc.channels.items() if "presale_batch" in c.route]
    for name in batching:
        route = sc.channels[name].route
        path = f"channels.{name}.route"
        if name not in presale:
            raise KeyPathError(path, route, f"stage 'presale_batch' needs a [presale.{name}] table")
        if sc.channels[name].slots is None:
            raise KeyPathError(
                path, route, "stage 'presale_batch' gathers orders for slots: add slots"
            )
        after = route.index("presale_batch") + 1
        if route[after : after + 1] != ["front_pick"]:
            raise KeyPathError(
                path,
                route,
                "a presale batch goes to the depot's pickers: 'front_pick' must follow "
                "'presale_batch'",
            )
    for name, batch in presale.items():
        if name not in batching:
            raise KeyPathError(
                f"presale.{name}",
                name,
                "not a channel whose route has the stage 'presale_batch'; such channels: "
                + (", ".join(batching) or "none"),
            )
        slots = sc.channels[name].slots
        if slots is not None and batch.batch_lead > slots.lead:
            raise KeyPathError(
                f"presale.{name}.batch_lead",
                format_duration(batch.batch_lead),
                f"must be at most the slots' lead ({format_duration(slots.lead)}): the "
                "ordering window of a slot must close before its batch is picked",
            )
        _check_gate(sc, name, batch)
    _check_membership(sc)


def _check_gate(sc: Scenario, name: str, batch: PresaleBatch) -> None:
    """The assortment's SKUs exist, members-only needs a club, and the other channel is
    one every customer of the presale channel may use."""
    path = f"presale.{name}"
    skus = sc.catalogue.skus
    for i, sku in enumerate(batch.assortment_skus or ()):
        if sku >= skus:
            raise KeyPathError(
                f"{path}.assortment_skus[{i}]", sku, f"SKU ids run from 0 to {skus - 1}"
            )
    if batch.assortment_top is not None and batch.assortment_top > skus:
        raise KeyPathError(
            f"{path}.assortment_top", batch.assortment_top, f"the catalogue has {skus} SKUs"
        )
    if batch.members_only and sc.membership is None:
        raise KeyPathError(f"{path}.members_only", True, "members need a [membership] table")
    other = batch.otherwise_channel
    if other is None:
        return
    if other not in sc.channels or other in (sc.presale or {}):
        fit = [c for c in sc.channels if c not in (sc.presale or {})]
        raise KeyPathError(
            f"{path}.otherwise_channel", other, f"a channel without presale: {', '.join(fit)}"
        )
    require_fallback(sc, name, other, "refused customers order")


def _check_membership(sc: Scenario) -> None:
    if sc.membership is None:
        return
    segments = {s.name: s for s in sc.customers.segments}
    for i, name in enumerate(sc.membership.segments):
        path = f"membership.segments[{i}]"
        if name not in segments:
            raise KeyPathError(
                path, name, f"no segment of that name; segments: {', '.join(segments)}"
            )
        if segments[name].population is None:
            raise KeyPathError(
                path,
                name,
                "members are counted in a finite population: give the segment a population",
            )
