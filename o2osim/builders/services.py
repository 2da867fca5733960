"""Builds the service products of a run (``[services]``): their dates, limits and rates.

Each product gets its booking limit from its overbooking policy (chosen by name, see
:mod:`o2osim.overbooking`), two named streams (``services.NAME.requests`` for the
request counts and times, ``services.NAME.fates`` for cancellations and shows) and a
price converter to CNY cents (its own constant rate, or the [trade] table's rate at
the instant). A run without ``[services]`` builds nothing and draws nothing. This
module must not run the simulation.
"""

from __future__ import annotations

import datetime as dt

import simpy

from ..facilities.services import ServiceDates, ToCents
from ..overbooking import booking_limit
from ..plan import Plan
from ..randomness import Streams
from ..scenario.services import CNY, ServiceProduct
from ..scenario.trade import Trade
from ..trade.fx import cny_per_unit, instant, to_cents, to_cny


def price_converter(product: ServiceProduct, trade: Trade | None, start: dt.date) -> ToCents:
    """``(amount, minute) -> CNY cents`` for amounts in the product's currency."""
    if product.currency == CNY:
        return lambda amount, minute: to_cents(amount)
    rate = product.cny_per_unit
    if rate is not None:
        fixed = rate
        return lambda amount, minute: to_cents(to_cny(amount, fixed))
    if trade is None:  # check_services refuses this scenario; kept for mypy
        raise ValueError(f"no exchange rate for {product.currency}")
    market = trade
    return lambda amount, minute: to_cents(
        to_cny(amount, cny_per_unit(market, instant(start, minute)))
    )


def build_services(env: simpy.Environment, streams: Streams, plan: Plan) -> list[ServiceDates]:
    """One :class:`ServiceDates` per product, dates in ``[0, horizon)``; none without
    ``[services]``."""
    scenario = plan.scenario
    if scenario.services is None:
        return []
    return [
        ServiceDates(
            env,
            name,
            product,
            booking_limit(product),
            plan.horizon,
            streams.stream(f"services.{name}.requests"),
            streams.stream(f"services.{name}.fates"),
            price_converter(product, scenario.trade, plan.start),
        )
        for name, product in scenario.services.products.items()
    ]


def service_counters(products: list[ServiceDates]) -> dict[str, int]:
    """Every product's counters (empty without services)."""
    counters: dict[str, int] = {}
    for product in products:
        counters.update(product.counters())
    return counters
