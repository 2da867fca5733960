"""Scenario schema of an export market's trade: currency, exchange rate and dated rules.

The ``[trade]`` table belongs to a foreign market (``configs/markets/*.toml``): the
currency its customers pay in, the exchange rate (a constant or a dated path, CNY per
unit of that currency), the tariff item and ad-valorem rate of each catalogue category,
and the destination's trade-policy rules, each effective from a date-time and until
another, to the minute. Money in a rule is in the market's currency; rates are shares.
A scenario with ``[trade]`` is an export scenario (``layout = "export"``); the duty
arithmetic is :mod:`o2osim.trade`. Pure data: this module must not import the runtime
or compute any duty.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from .errors import ABSENT, KeyPathError
from .types import Money, Name, Probability, Strict

if TYPE_CHECKING:
    from .root import Scenario

#: What a rule does (see :class:`TradeRule`).
RuleKind = Literal["ad_valorem", "per_item", "de_minimis", "handling_fee", "vat"]
#: Which imports a rule applies to: parcels sent to a customer (direct mail), the
#: general-trade consignments that stock an overseas warehouse, or both.
AppliesTo = Literal["parcel", "consignment", "both"]
#: A date-time to the minute; a TOML date-time or a string "2026-07-01T00:00".
Instant = Annotated[dt.datetime, Field(strict=False)]


class TradeRule(Strict):
    """One dated trade-policy rule of a destination market.

    - ``ad_valorem``: duty = the tariff item's ``duty_rate`` (or this rule's ``rate``)
      times the customs value, on parcels of value ``at_or_above`` or more (none: all);
    - ``per_item``: ``amount`` per distinct tariff item of a parcel worth less than
      ``below`` (the EU's EUR 3 from 2026-07-01 on parcels under EUR 150);
    - ``de_minimis``: parcels worth ``threshold`` or less pay no duty while it holds
      (the US's USD 800, suspended from 2025-08-29);
    - ``handling_fee``: ``amount`` per parcel (or consignment);
    - ``vat``: ``rate`` times the value (plus duty when collected at import), paid by the
      customer on top of the price; ``collected`` at ``sale`` or at ``import``.

    A rule holds for imports declared at or after ``start`` and before ``until``.
    """

    name: Name
    kind: RuleKind
    applies_to: AppliesTo = "parcel"
    start: Instant | None = Field(default=None, description="in force from (to the minute)")
    until: Instant | None = Field(default=None, description="in force before this instant")
    rate: Probability | None = None
    amount: Money | None = Field(default=None, description="market currency")
    below: Money | None = Field(default=None, description="market currency, exclusive")
    at_or_above: Money | None = Field(default=None, description="market currency, inclusive")
    threshold: Money | None = Field(default=None, description="market currency, inclusive")
    collected: Literal["sale", "import"] = "sale"

    @model_validator(mode="after")
    def _needs(self) -> TradeRule:
        needs = {
            "per_item": "amount",
            "handling_fee": "amount",
            "de_minimis": "threshold",
            "vat": "rate",
        }.get(self.kind)
        if needs is not None and getattr(self, needs) is None:
            raise ValueError(f"a {self.kind} rule needs {needs}")
        if self.start is not None and self.until is not None and self.until <= self.start:
            raise ValueError("until must be after start")
        return self


class TariffItem(Strict):
    """The tariff line of a catalogue category and its ad-valorem duty rate."""

    code: str = Field(min_length=1, max_length=16, description="HS / CN / HTS code")
    duty_rate: Probability = 0.0


class RatePoint(Strict):
    """From ``start`` on, one unit of the market's currency costs ``cny_per_unit`` CNY."""

    start: Instant
    cny_per_unit: Annotated[float, Field(gt=0, le=1e4)]


class Trade(Strict):
    """The ``[trade]`` table of an export market."""

    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = Field(description="ISO 4217")
    cny_per_unit: Annotated[float, Field(gt=0, le=1e4)] | None = Field(
        default=None, description="constant exchange rate, CNY per unit of the currency"
    )
    exchange: list[RatePoint] = Field(
        default_factory=list, description="dated exchange-rate path, in time order"
    )
    tariff_items: dict[Name, TariffItem] = Field(
        default_factory=dict, description="catalogue category -> its tariff line"
    )
    default_item: TariffItem = Field(
        default_factory=lambda: TariffItem(code="other"),
        description="the tariff line of a category not listed (and of an uncategorised one)",
    )
    customs_value: Literal["cif", "fob"] = Field(
        default="cif",
        description="general-trade customs value of a consignment: the purchase cost "
        "plus (cif) or without (fob) the first-leg freight (EU: CIF, US: FOB)",
    )
    parcel_duty_paid_by: Literal["customer", "seller"] = Field(
        default="customer",
        description="who pays a parcel's duty and handling fees: the customer at the door "
        "(DAP: part of the landed price the customer sees and chooses on) or the seller "
        "(DDP: a cost line); a consignment's duty is always the seller's",
    )
    rules: list[TradeRule] = Field(default_factory=list)
    as_of: Instant | None = Field(
        default=None,
        description="judge every order by the rules in force at this instant instead of "
        "at its own placement (a before/after comparison with the same customers)",
    )

    @model_validator(mode="after")
    def _rate(self) -> Trade:
        if (self.cny_per_unit is None) == (not self.exchange):
            raise ValueError("give exactly one of cny_per_unit (constant) or exchange (dated)")
        starts = [p.start for p in self.exchange]
        if starts != sorted(starts) or len(set(starts)) != len(starts):
            raise ValueError("exchange points must be in strictly increasing time order")
        names = [r.name for r in self.rules]
        if len(set(names)) != len(names):
            raise ValueError(f"rule names must be unique (got {', '.join(names)})")
        return self


def check_export(sc: Scenario) -> None:
    """An export scenario has a destination market's trade table, and only it has one."""
    layout = sc.scenario.layout
    if layout == "export" and sc.trade is None:
        raise KeyPathError(
            "trade",
            ABSENT,
            'layout = "export" sells abroad and needs the destination market\'s [trade] '
            "table (currency, exchange rate, trade rules; docs/export.md)",
        )
    if layout != "export" and sc.trade is not None:
        raise KeyPathError(
            "scenario.layout",
            layout,
            'a scenario with a [trade] table sells abroad: set layout = "export"',
        )
