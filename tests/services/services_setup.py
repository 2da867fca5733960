"""Shared set-up of the service tests: a product, and its dates run on a bare kernel."""

from __future__ import annotations

from typing import Any

from o2osim.facilities.services import ServiceDates
from o2osim.kernel import Kernel
from o2osim.overbooking import booking_limit
from o2osim.randomness import Streams
from o2osim.scenario.services import ServiceProduct
from o2osim.trade.fx import to_cents
from o2osim.units import DAY


def product(**changes: Any) -> ServiceProduct:
    """A daily product with 20 places sold over a 10-day window, changed by ``changes``."""
    base: dict[str, Any] = {
        "capacity": 20,
        "first_date": "10d",
        "every": "1d",
        "window": "10d",
        "lead_time_mean": "3d",
        "requests_per_date": 60.0,
        "price": 1999.99,
    }
    return ServiceProduct.model_validate({**base, **changes})


def run_dates(item: ServiceProduct, seed: int, days: float) -> ServiceDates:
    """Run ``item``'s dates in ``[0, days)`` to the end; prices in CNY."""
    env = Kernel()
    streams = Streams(seed)
    dates = ServiceDates(
        env,
        "tour",
        item,
        booking_limit(item),
        days * DAY,
        streams.stream("services.tour.requests"),
        streams.stream("services.tour.fates"),
        lambda amount, minute: to_cents(amount),
    )
    env.run()
    return dates
