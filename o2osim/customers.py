"""Customers: when they arrive, what they buy, which channel, where they live.

Arrivals per segment are a non-homogeneous Poisson process whose rate is constant within
each hour: ``arrivals_per_day / 24`` times the hourly and weekday profile weights (each
normalised to mean 1), times the factors of the calendar events (Double 11, 618, Spring
Festival) on their dates. Arrival times are drawn by inverting the cumulative rate, one
Exp(1) value per arrival, so the arrival stream depends only on its own random stream.

A basket has ``1 + Poisson(items_per_order - 1)`` lines; each line is a SKU from a finite
Zipf popularity law. A customer lives at a random distance and a uniformly random direction
from the depot their segment lives around; the order records the road distance from the
depot that serves its channel. A segment with a finite ``population`` draws each order's
customer uniformly from it, so per-person limits can apply. A customer whose order customs
rejects for its value may split it (:func:`split_basket`). This module must not know the
facilities: a new order is handed to ``place(order_id)``, or straight to its channel's entry
(:meth:`OrderFactory.arrival`). Travellers whose orders follow the flight schedule are not
generated here: the airport calls :meth:`OrderFactory.build`.

A segment picks each order's channel from fixed ``channel_shares`` or, with a
:class:`o2osim.choice.Chooser`, from choice probabilities that depend on the basket value
and the home (logit on price, tax, fee, promise, travel, trust). With a
:class:`CustomerMemory` a finite population's trust and propensity to come back follow their
experiences; an arrival who stays away still draws its basket and home, so arrival k of a
segment is the same customer with the same basket in every layout (common random numbers),
whatever earlier service made customers stay away.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np
import simpy

from .choice import Chooser
from .city import Point, road_km
from .distributions import block_draw
from .kernel import scheduler
from .profiles import HOURLY_PROFILES, WEEKDAY_PROFILES, profile_weights
from .recorder import OrderBook
from .scenario import CalendarEvent, Catalogue, Memory, Segment
from .units import DAY, HOUR

WEEK_HOURS = 168
#: Per channel index: how an order enters its channel's route (the order flow's entries).
Entries = Sequence[Callable[[int], None]]


def weekly_rates(segment: Segment, start_weekday: int) -> list[float]:
    """Arrivals per minute for each hour of the week, hour 0 = the scenario start.

    ``start_weekday`` is 0 for Monday.
    """
    hours = profile_weights(segment.hourly_profile, HOURLY_PROFILES)
    days = profile_weights(segment.weekday_profile, WEEKDAY_PROFILES)
    base = (segment.arrivals_per_day or 0.0) / DAY
    return [base * hours[h % 24] * days[(start_weekday + h // 24) % 7] for h in range(WEEK_HOURS)]


def day_factors(
    segment: str, calendar: Sequence[CalendarEvent], start: dt.date, days: int
) -> list[float]:
    """Arrival multiplier of each of ``days`` dates from ``start`` for ``segment``."""
    factors = [1.0] * days
    for event in calendar:
        if event.segments and segment not in event.segments:
            continue
        first = (event.start - start).days
        for day in range(max(first, 0), min(first + event.days, days)):
            factors[day] *= event.factor
    return factors


def arrival_rates(
    segment: Segment, start: dt.date, horizon: float, calendar: Sequence[CalendarEvent] = ()
) -> list[float]:
    """Arrivals per minute for each hour, hour 0 = the scenario start (midnight).

    The weekly cycle of :func:`weekly_rates` when no calendar event or peak day
    touches the segment inside the horizon; else one value per hour of the horizon,
    multiplied on those dates.
    """
    weekly = weekly_rates(segment, start.weekday())
    factors = day_factors(segment.name, calendar, start, math.ceil(horizon / DAY))
    for peak in segment.peak_days:
        day = (peak.date - start).days
        if 0 <= day < len(factors):
            factors[day] *= peak.factor
    if all(f == 1.0 for f in factors):
        return weekly
    return [weekly[h % WEEK_HOURS] * factors[h // 24] for h in range(24 * len(factors))]


def split_basket(
    skus: tuple[int, ...], prices: Sequence[float], limit: float
) -> list[tuple[int, ...]] | None:
    """Split a basket into orders each worth at most ``limit`` CNY (first fit, dearest first).

    ``None`` if one line alone is above the limit (no split can pass customs).
    """
    parts: list[list[int]] = []
    totals: list[float] = []
    for sku in sorted(skus, key=lambda k: (-prices[k], k)):
        price = prices[sku]
        if round(price, 2) > round(limit, 2):
            return None
        for index, total in enumerate(totals):
            if round(total + price, 2) <= round(limit, 2):
                parts[index].append(sku)
                totals[index] = total + price
                break
        else:
            parts.append([sku])
            totals.append(price)
    return [tuple(part) for part in parts]


def zipf_probabilities(skus: int, a: float) -> np.ndarray:
    """Popularity of SKU k (0-based) proportional to (k + 1) ** -a."""
    weights = np.arange(1, skus + 1, dtype=float) ** -a
    return weights / weights.sum()


class ArrivalProcess:
    """Generates one segment's customers by inversion of the hourly rate function."""

    def __init__(
        self,
        env: simpy.Environment,
        rates_per_min: list[float],
        stop_at: float,
        rng: np.random.Generator,
        on_arrival: Callable[[float], object],
    ) -> None:
        self.env = env
        self.rates = rates_per_min
        self.stop_at = stop_at
        self.unit_exp = block_draw(lambda n: rng.exponential(1.0, n))
        self.on_arrival = on_arrival
        self._schedule_arrival = scheduler(env, self._arrive)
        self.time = env.now
        self._rate, self._hour_end = 0.0, -math.inf  # of the hour ``time`` is in
        if any(r > 0 for r in rates_per_min):
            self._arrive(False)

    def next_time(self, time: float, work: float) -> float:
        """The time at which ``work`` units of cumulative rate have passed after ``time``."""
        rates = self.rates
        period = len(rates)
        while time < self.stop_at:
            hour = int(time // HOUR)
            rate = rates[hour % period]
            hour_end = (hour + 1) * HOUR
            if rate > 0:
                needed = work / rate
                if time + needed < hour_end:
                    return time + needed
                work -= (hour_end - time) * rate
            time = hour_end
        return time

    def _arrive(self, placing: bool) -> None:
        """A customer arrives (``placing`` False: the start), then the next is scheduled."""
        # The clock, not self.time: ``now + (when - now)`` can miss ``when`` by one ulp, and
        # an order must not be placed after the time its first stage stamps.
        now = self.env.now
        if placing:
            self.on_arrival(now)
        time, work = self.time, self.unit_exp()
        if time >= self._hour_end:  # arrivals come in time order: a new hour
            hour = int(time // HOUR)
            self._rate, self._hour_end = self.rates[hour % len(self.rates)], (hour + 1) * HOUR
        # Fast path: the next arrival falls inside the current hour (the common case).
        rate = self._rate
        when = time + work / rate if rate > 0 else math.inf
        if when >= self._hour_end:
            when = self.next_time(time, work)
        if when >= self.stop_at:
            return
        self.time = when
        self._schedule_arrival(when - now, True)


#: What a customer remembers of an order.
ON_TIME, LATE, FAILED = 0, 1, 2


class CustomerMemory:
    """Trust per channel and propensity to buy again of each customer of one segment.

    ``trust[customer][k]`` is the trust in the segment's k-th channel (it starts at
    that channel's ``offer.trust``); ``propensity[customer]`` the chance that an
    arrival of this customer buys. :meth:`remember` moves both after an order (the
    rule is in :class:`o2osim.scenario.Memory`). ``bad[customer]`` is True while the
    customer's last store visit was a bad experience (set and cleared by
    :mod:`o2osim.journeys`, see :class:`o2osim.scenario.Journeys`). Customers are
    numbered from ``first``, as in the order table.
    """

    def __init__(self, config: Memory, first: int, population: int, trust: Sequence[float]) -> None:
        self.first = first
        self.steps = (config.on_time_gain, config.late_loss, config.failed_loss)
        self.trust = [list(trust) for _ in range(population)]
        self.propensity = [config.propensity] * population
        self.bad = [False] * population
        self.stayed_away = 0

    def remember(self, customer: int, channel: int, how: int) -> None:
        """Customer ``customer`` had an ``ON_TIME``, ``LATE`` or ``FAILED`` order on the
        segment's ``channel``-th channel."""
        index = customer - self.first
        step = self.steps[how]
        trust = self.trust[index]
        if how == ON_TIME:  # a share of the way up to 1
            trust[channel] += step * (1.0 - trust[channel])
            self.propensity[index] += step * (1.0 - self.propensity[index])
        else:  # a share of the way down to 0
            trust[channel] -= step * trust[channel]
            self.propensity[index] -= step * self.propensity[index]


class OrderFactory:
    """Builds a segment's orders: channel, basket, value, tax, home and distance.

    ``home()`` draws ``(x, y, road km from the depot the segment lives around)``
    (:func:`o2osim.city.homes`). ``depots[channel]`` is the position of the depot
    serving that channel, or None when it is that same depot.
    """

    def __init__(
        self,
        book: OrderBook,
        segment_index: int,
        channel_indices: list[int],
        channel_shares: list[float],
        catalogue: Catalogue,
        prices: list[float],
        tax_rate: float,
        streams: dict[str, np.random.Generator],
        home: Callable[[], tuple[float, float, float]],
        depots: list[Point | None],
        detour: float,
        place: Callable[[int], None],
        sku_offset: int = 0,
        chooser: Chooser | None = None,
        tax_rates: list[float] | None = None,
        customers: tuple[int, int] | None = None,
        memory: CustomerMemory | None = None,
    ) -> None:
        """``customers`` is (first customer id, population) for a finite population; then
        ``streams`` has ``identity`` (and ``come_back`` with a ``memory``)."""
        self.book = book
        #: None: the channel is drawn from ``channel_shares``; else from the chooser's
        #: probabilities for each basket and home.
        self.chooser = chooser
        #: Import tax rate per channel of the segment (default: ``tax_rate`` for all).
        self.tax_rates = tax_rates or [tax_rate] * len(channel_indices)
        self.segment = segment_index
        self.channels = channel_indices
        self.several_channels = len(channel_indices) > 1
        self.last_channel = len(channel_indices) - 1
        cumulative = np.cumsum(np.asarray(channel_shares, dtype=float))
        self.cumulative_shares = (cumulative / cumulative[-1]).tolist()
        self.prices = prices
        self.tax_rate = tax_rate
        self.home = home
        self.depots = depots
        self.detour = detour
        self.place = place
        probs = zipf_probabilities(catalogue.skus, catalogue.popularity.a)
        cdf = np.cumsum(probs)
        cdf[-1] = 1.0
        sku_rng, lines_rng, channel_rng = streams["skus"], streams["lines"], streams["channel"]
        # SKU ids of a second catalogue (the airport's) follow the main one's: ``sku_offset``.
        self.next_sku = block_draw(
            lambda n: (
                np.minimum(
                    np.searchsorted(cdf, sku_rng.random(n), side="right"), catalogue.skus - 1
                )
                + sku_offset
            )
        )
        extra = catalogue.items_per_order - 1.0
        self.extra_lines = (
            block_draw(lambda n: lines_rng.poisson(extra, n))
            if extra > 0
            else itertools.repeat(0).__next__
        )
        self.channel_uniform = (
            block_draw(channel_rng.random)
            if len(channel_indices) > 1
            else itertools.repeat(0.0).__next__
        )
        self.customer: Callable[[], int] | None = None
        if customers is not None:
            first, population = customers
            identity_rng = streams["identity"]
            self.customer = block_draw(
                lambda n: identity_rng.integers(first, first + population, n)
            )
            self.build = self._build_identified  # type: ignore[method-assign]
        self.memory = memory
        self.come_back = block_draw(streams["come_back"].random) if memory is not None else None

    def __call__(self, time: float) -> None:
        """Build an order placed at ``time`` (minutes) and hand it to ``place``. With a
        memory the arriving customer may stay away: then there is no order."""
        memory = self.memory
        if memory is None:
            self.place(self.build(time))
            return
        customer = self.customer()  # type: ignore[misc]
        if self.come_back() >= memory.propensity[customer - memory.first]:  # type: ignore[misc]
            memory.stayed_away += 1
            self._skip()
            return
        order_id = self._new(customer, None, time)
        self.book.customer[order_id] = customer
        self.place(order_id)

    def arrival(self, entries: Entries | None) -> Callable[[float], object]:
        """What an arrival at ``time`` calls: ``hook(time)`` builds its order and places it.

        With ``entries`` (per channel index: how an order enters its route, given when
        ``place`` is the order flow's) a segment without memory or finite population
        builds and enters the order in one call, not three."""
        if entries is None or self.memory is not None or self.customer is not None:
            return self
        return functools.partial(self._new, -1, entries)

    def build(self, time: float, customer: int = -1) -> int:
        """Build an order placed at ``time`` (minutes); return its id without placing it.
        ``customer`` (with a memory) chooses with their own trust in each channel."""
        return self._new(customer, None, time)

    def _new(self, customer: int, entries: Entries | None, time: float) -> int:
        """:meth:`build`, then, with ``entries``, the order enters its channel's route."""
        next_sku = self.next_sku
        skus = (next_sku(),)
        extra = self.extra_lines()
        if extra:
            skus += tuple(next_sku() for _ in range(extra))
        prices = self.prices
        value = sum(prices[s] for s in skus) if extra else prices[skus[0]]
        if self.chooser is None:
            # One channel: no draw to make (its uniform is a constant 0). The shares end at
            # exactly 1.0 and the uniform is below it: the choice is at most the last channel.
            choice = (
                bisect.bisect_right(self.cumulative_shares, self.channel_uniform())
                if self.several_channels
                else 0
            )
            x, y, km = self.home()
        else:
            x, y, km = self.home()
            trust = (
                self.memory.trust[customer - self.memory.first]
                if self.memory is not None and customer >= 0
                else None
            )
            cumulative = list(
                itertools.accumulate(self.chooser.probabilities(value, x, y, km, trust))
            )
            choice = min(
                bisect.bisect_right(cumulative, self.channel_uniform() * cumulative[-1]),
                self.last_channel,
            )
        channel = self.channels[choice]
        depot = self.depots[channel]
        if depot is not None:
            km = road_km((x, y), depot, self.detour)
        order_id = self.book.new(
            time, self.segment, channel, skus, value, value * self.tax_rates[choice], km, x, y
        )
        if entries is not None:
            entries[channel](order_id)
        return order_id

    def _skip(self) -> None:
        """Draw what :meth:`build` would have drawn for an arrival that stays away, so the
        next arrival gets the same basket and home whatever the layout's service made this
        customer do (common random numbers per arrival)."""
        extra = self.extra_lines()
        for _ in range(1 + extra):
            self.next_sku()
        self.home()
        self.channel_uniform()

    def _build_identified(self, time: float, customer: int = -1) -> int:
        """:meth:`build` for a finite population: the order also gets its customer (drawn
        here: ``customer`` is ignored)."""
        customer = self.customer()  # type: ignore[misc]
        order_id = self._new(customer, None, time)
        self.book.customer[order_id] = customer
        return order_id
