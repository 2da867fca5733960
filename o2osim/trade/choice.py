"""Channel choice on the landed price: what an export customer pays, as the rules stand now.

A :class:`LandedChooser` is the logit chooser (:mod:`o2osim.choice`) of an export
market: each channel's price is the basket converted to the market's currency at the
day's rate, plus the VAT, plus (for a parcel whose duty the customer pays at the door)
the duty and handling fees of the rules in force at the moment the customer chooses
(or at ``trade.as_of``), converted back to CNY. The chooser sees the basket's value,
not its lines, so it prices the parcel as one tariff item (the catalogue's first
category's): exact for one-line baskets, a lower bound of a per-item duty otherwise.
Pure apart from reading the clock; no randomness.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from ..builders.context import Build
from ..choice import CHOICE_POLICIES, Chooser, Offer, Option, Taste
from ..city import road_km
from ..scenario.trade import Trade
from .duty import Kind, Line, parcel_charges, sale_vat
from .fx import cny_per_unit, instant, to_market
from .landed import parcel_channels, tariff_lines


class LandedChooser(Chooser):
    """The logit over channels priced at the landed price the customer sees (CNY)."""

    def __init__(
        self,
        chooser: Chooser,
        *,
        trade: Trade,
        start: dt.date,
        parcels: Sequence[bool],
        item: tuple[str, float],
        clock: Callable[[], float],
    ) -> None:
        """``chooser`` is the segment's logit chooser; ``parcels`` says per channel whether
        it sends a parcel; ``item`` is the (tariff code, duty rate) the chooser assumes;
        ``clock`` reads the simulation time (minutes)."""
        super().__init__(chooser.policy, chooser.taste, chooser.offers, chooser.road_km)
        self.trade, self.start, self.parcels = trade, start, tuple(parcels)
        self.item, self.clock = item, clock

    def landed_price(self, value: float, parcel: bool) -> float:
        """CNY the customer pays for a basket worth ``value`` CNY through a channel that
        sends a parcel (``parcel``) or sells from stock abroad, at the clock's instant."""
        return self._landed(value, parcel, *self._now())

    def _now(self) -> tuple[dt.datetime, float]:
        """The instant the rules are judged at, and the day's CNY per unit of currency."""
        placed = instant(self.start, self.clock())
        return self.trade.as_of or placed, cny_per_unit(self.trade, placed)

    def _landed(self, value: float, parcel: bool, when: dt.datetime, rate: float) -> float:
        trade = self.trade
        market = to_market(value, rate)
        kind: Kind = "parcel" if parcel else "consignment"
        extra = sale_vat(trade.rules, market, when, kind)
        if parcel and trade.parcel_duty_paid_by == "customer":
            charges = parcel_charges(trade.rules, [Line(*self.item, market)], when)
            extra += charges.duty + charges.handling
        return value + extra / 100.0 * rate

    def options(
        self, value: float, x: float, y: float, home_km: float, trust: Sequence[float] | None = None
    ) -> list[Option]:
        """As :meth:`Chooser.options`, with each channel's price the landed price."""
        when, rate = self._now()  # once per customer, not once per channel
        found: list[Option] = []
        seen = super().options(value, x, y, home_km, trust)
        for (price, hours, km, belief), offer, parcel in zip(
            seen, self.offers, self.parcels, strict=True
        ):
            fee = price - value * (1.0 + offer.tax_rate)  # the delivery fee, if any
            found.append((self._landed(value, parcel, when, rate) + fee, hours, km, belief))
        return found


def landed_chooser(
    b: Build, policy: str, taste: Taste, offers: Sequence[Offer], channels: Sequence[str]
) -> LandedChooser:
    """The landed-price chooser of one segment over ``channels`` (its channel names)."""
    sc = b.scenario
    trade = sc.trade
    if trade is None:
        raise ValueError("a landed-price chooser needs a scenario with a [trade] table")
    parcels = parcel_channels(sc)
    detour = b.plan.detour
    return LandedChooser(
        Chooser(CHOICE_POLICIES[policy], taste, offers, lambda a, c: road_km(a, c, detour)),
        trade=trade,
        start=sc.scenario.start,
        parcels=[name in parcels for name in channels],
        item=tariff_lines(sc, trade)[0],
        clock=lambda: float(b.env.now),
    )
