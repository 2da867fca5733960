"""A service sold online and consumed abroad: bookings, cancellations, no-shows, denials.

One :class:`ServiceDates` per product. Every service date (minute ``T``) gets a Poisson
number of booking requests whose times before ``T`` follow the product's booking curve
(an exponential lead time cut at the window), so requests form a time-varying Poisson
process from the window's opening to the date; a request before time 0 never happened.
Each request's fate is drawn when its date is made (whether it would cancel, when, and
whether it would show), so every overbooking policy meets the same customers (common
random numbers) and the policy only decides who is accepted.

A request is accepted while the date holds fewer bookings than its limit (the
overbooking policy's answer), else refused. A cancellation frees its place at once and
refunds the tier's share of the price paid, at the cancellation. At ``T`` the held
bookings settle: no-shows forfeit the price; shows beyond the capacity are denied (the
latest booked first) and get the full price back plus the compensation. Every figure of
a date is credited to its counters at ``T``, so a date counts where it falls (the
counters are read from the warm-up to the horizon). Money is integer cents of CNY.

Bookings are not orders: they live here, never in the order book (docs/services.md).
This module must not import other facilities, the World or the scenario loader.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import simpy

from ..kernel import Call, call_in, handlers
from ..scenario.services import ServiceProduct
from ..units import DAY

#: ``(amount in the product's currency, minute) -> CNY cents`` at that minute's rate.
ToCents = Callable[[float, float], int]
#: A date's figures credited to the counters, in counter order.
FIGURES = (
    "dates", "places", "requests", "refused", "booked", "cancelled", "no_show", "served",
    "denied", "dates_denying", "revenue_cents", "refund_cents", "compensation_cents",
    "seat_cost_cents",
)  # fmt: skip


@dataclass
class ServiceDate:
    """One service date: its requests' times and fates, and what happened (cents)."""

    time: float
    arrivals: np.ndarray
    cancels: np.ndarray  # per request: the share of its remaining wait after which it
    # cancels (NaN: it does not cancel)
    shows: np.ndarray
    next_request: int = 0
    #: Bookings held now: request index -> CNY cents paid.
    held: dict[int, int] = field(default_factory=dict)
    #: The requests booked, in booking order (the date's booking ledger).
    accepted: list[int] = field(default_factory=list)
    settled: bool = False
    figures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))


class ServiceDates:
    """The service dates of one product (see the module docstring)."""

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        product: ServiceProduct,
        limit: int,
        until: float,
        requests_rng: np.random.Generator,
        fates_rng: np.random.Generator,
        to_cents: ToCents,
    ) -> None:
        self.env, self.name, self.product = env, name, product
        #: Most bookings a date holds at once (the overbooking policy's limit).
        self.limit = limit
        self._to_cents = to_cents
        self._on_request = handlers(self._request)
        self._on_cancel = handlers(self._cancel)
        self._on_date = handlers(self._settle)
        self.dates: list[ServiceDate] = []
        count = 0
        while (time := product.first_date + count * product.every) < until:
            self.dates.append(self._make_date(time, requests_rng, fates_rng))
            count += 1
        for index, date in enumerate(self.dates):
            call_in(env, date.time - env.now, self._on_date, index)
            self._schedule_next(index)

    def _make_date(
        self, time: float, requests: np.random.Generator, fates: np.random.Generator
    ) -> ServiceDate:
        """Draw a date's requests (times before it) and each one's fate."""
        p = self.product
        n = int(requests.poisson(p.requests_per_date))
        # Inverse CDF of an exponential lead time cut at the window.
        cut = -math.expm1(-p.window / p.lead_time_mean)
        lead = -p.lead_time_mean * np.log1p(-requests.random(n) * cut)
        arrivals = np.sort(time - lead)
        cancel = fates.random(n) < p.cancel_probability
        when = fates.random(n)
        shows = fates.random(n) >= p.no_show_probability
        keep = arrivals >= 0.0  # before time 0 nothing happened
        return ServiceDate(time, arrivals[keep], np.where(cancel, when, np.nan)[keep], shows[keep])

    def _schedule_next(self, index: int) -> None:
        date = self.dates[index]
        if date.next_request < date.arrivals.size:
            at = float(date.arrivals[date.next_request])
            call_in(self.env, max(at - self.env.now, 0.0), self._on_request, index)

    def _request(self, call: Call) -> None:
        index: int = call.value
        date = self.dates[index]
        request = date.next_request
        date.next_request += 1
        self._schedule_next(index)
        date.figures["requests"] += 1
        if date.settled or len(date.held) >= self.limit:
            date.figures["refused"] += 1
            return
        now = self.env.now
        paid = self._to_cents(self.product.price, now)
        date.held[request] = paid
        date.accepted.append(request)
        date.figures["booked"] += 1
        date.figures["revenue_cents"] += paid
        share = date.cancels[request]
        if not math.isnan(share):
            call_in(self.env, share * (date.time - now), self._on_cancel, (index, request))

    def _cancel(self, call: Call) -> None:
        index, request = call.value
        date = self.dates[index]
        paid = date.held.pop(request)
        date.figures["cancelled"] += 1
        days = (date.time - self.env.now) / DAY
        date.figures["refund_cents"] += refund_cents(paid, self.refund_share(days))

    def refund_share(self, days_before: float) -> float:
        """The share of the price refunded to a cancellation ``days_before`` the date."""
        for tier in self.product.refund:
            if days_before >= tier.days_before:
                return tier.share
        return 0.0

    def _settle(self, call: Call) -> None:
        date = self.dates[call.value]
        date.settled = True
        figures, capacity, now = date.figures, self.product.capacity, self.env.now
        shows = [request for request in date.held if date.shows[request]]
        denied = shows[capacity:]  # held in booking order: the latest booked are denied
        figures["no_show"] += len(date.held) - len(shows)
        figures["served"] += len(shows) - len(denied)
        figures["denied"] += len(denied)
        figures["dates_denying"] += 1 if denied else 0
        figures["refund_cents"] += sum(date.held[request] for request in denied)
        figures["compensation_cents"] += len(denied) * self._to_cents(
            self.product.compensation, now
        )
        figures["seat_cost_cents"] += capacity * self._to_cents(self.product.cost_per_seat, now)
        figures["places"] += capacity
        figures["dates"] += 1
        date.held.clear()

    def counters(self) -> dict[str, int]:
        """The figures of the dates settled so far, ``services.NAME.FIGURE``."""
        totals = dict.fromkeys(FIGURES, 0)
        for date in self.dates:
            if date.settled:
                for key, value in date.figures.items():
                    totals[key] += value
        return {f"services.{self.name}.{key}": value for key, value in totals.items()}


def refund_cents(paid: int, share: float) -> int:
    """``share`` of ``paid`` cents, rounded half up to the cent."""
    return int((Decimal(paid) * Decimal(str(share))).quantize(Decimal(1), ROUND_HALF_UP))
