"""Duty arithmetic of one import under a market's dated rules (market currency, cents).

An import is either a *parcel* (direct mail: one order, judged on its own value) or
a share of a general-trade *consignment* (an overseas warehouse's stock: ad-valorem
duty on the customs value of the units sold, no threshold, no per-item duty). The
rules in force at an instant are those with ``start <= instant < until``. For a
parcel: a ``de_minimis`` rule in force exempts it from every duty if its value is at
most the threshold; ``ad_valorem`` duty is each line's rate times its value (parcels
of at least ``at_or_above``); ``per_item`` duty is the amount times the number of
*distinct* tariff items (parcels under ``below``); ``handling_fee`` is per parcel;
``vat`` is the rate times the value, plus the duty when collected at import. Each
amount is rounded half up to the cent. This module is pure arithmetic: it must not
read tables, convert currencies or run the model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ..scenario.trade import TradeRule
from .fx import to_cents

Kind = Literal["parcel", "consignment"]


@dataclass(frozen=True)
class Line:
    """One unit of an import: its tariff item, ad-valorem rate and value (market currency)."""

    item: str
    duty_rate: float
    value: float


@dataclass(frozen=True)
class Charges:
    """What an import pays at the border, in cents of the market's currency."""

    duty: int
    handling: int
    vat: int

    @property
    def total(self) -> int:
        """Duty, handling and VAT together (cents)."""
        return self.duty + self.handling + self.vat


def in_force(rule: TradeRule, when: dt.datetime) -> bool:
    """Whether ``rule`` holds at ``when`` (from ``start`` inclusive, to ``until`` exclusive)."""
    started = rule.start is None or rule.start <= when
    return started and (rule.until is None or when < rule.until)


def rules_at(rules: Sequence[TradeRule], when: dt.datetime, kind: Kind) -> list[TradeRule]:
    """The rules for imports of ``kind`` in force at ``when``."""
    return [r for r in rules if r.applies_to in (kind, "both") and in_force(r, when)]


def _ad_valorem(rule: TradeRule, lines: Sequence[Line]) -> int:
    return sum(
        to_cents(line.value * (rule.rate if rule.rate is not None else line.duty_rate))
        for line in lines
    )


def parcel_charges(rules: Sequence[TradeRule], lines: Sequence[Line], when: dt.datetime) -> Charges:
    """The duty, handling fees and VAT of one parcel declared at ``when``."""
    active = rules_at(rules, when, "parcel")
    value = sum(line.value for line in lines)
    exempt = any(r.kind == "de_minimis" and value <= (r.threshold or 0.0) for r in active)
    duty = 0
    for rule in active if not exempt else ():
        if rule.kind == "ad_valorem" and (rule.at_or_above is None or value >= rule.at_or_above):
            duty += _ad_valorem(rule, lines)
        elif rule.kind == "per_item" and (rule.below is None or value < rule.below):
            duty += to_cents(rule.amount or 0.0) * len({line.item for line in lines})
    handling = sum(to_cents(r.amount or 0.0) for r in active if r.kind == "handling_fee")
    return Charges(duty, handling, _vat(active, value, duty))


def consignment_charges(
    rules: Sequence[TradeRule], lines: Sequence[Line], when: dt.datetime
) -> Charges:
    """Duty and handling of the units of one order taken from a general-trade consignment.

    ``lines`` carry each unit's customs value. The import VAT paid on a consignment is
    deducted when the goods are sold, so the VAT of a sale from stock is
    :func:`sale_vat` on the price (``vat`` here is 0).
    """
    active = rules_at(rules, when, "consignment")
    duty = sum(_ad_valorem(r, lines) for r in active if r.kind == "ad_valorem")
    handling = sum(to_cents(r.amount or 0.0) for r in active if r.kind == "handling_fee")
    return Charges(duty, handling, 0)


def sale_vat(rules: Sequence[TradeRule], value: float, when: dt.datetime, kind: Kind) -> int:
    """Cents of VAT on a sale worth ``value`` (the VAT rules of imports of ``kind``)."""
    return _vat(rules_at(rules, when, kind), value, 0)


def _vat(active: Sequence[TradeRule], value: float, duty_cents: int) -> int:
    total = 0
    for rule in active:
        if rule.kind != "vat":
            continue
        base = value + (duty_cents / 100.0 if rule.collected == "import" else 0.0)
        total += to_cents(base * (rule.rate or 0.0))
    return total
