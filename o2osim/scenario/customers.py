"""Scenario schema of demand: customer segments, their choice, patience, memory,
stock-out responses and journeys, and the calendar of peak dates.

Pure data and per-table checks; checks that need other tables (a segment's channels
exist, a store it visits) are in :mod:`o2osim.scenario.checks`. This module must not
import the runtime.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..limits import (
    MAX_ARRIVALS_PER_DAY,
    MAX_HORIZON,
    MAX_POPULATION,
    MAX_SKUS,
)
from ..units import DAY
from .errors import KeyPathError
from .stages import WAREHOUSE
from .types import (
    DayFactor,
    Duration,
    HourlyProfile,
    LogitCoefficient,
    Name,
    NumberDist,
    PositiveCount,
    PositiveInt,
    Probability,
    Strict,
    TimeDist,
    WeekdayProfile,
    Weight,
    as_written,
    at_most,
    policy_name,
)


class PeakDay(Strict):
    """A date on which a segment's arrival rate is multiplied, e.g. Double 11."""

    date: Annotated[dt.date, Field(strict=False)]
    factor: DayFactor


class Logit(Strict):
    """Coefficients of a segment's multinomial logit channel choice (o2osim.choice).

    Utility of channel j: ``constants[j] + per_cny * price + per_promised_hour * hours
    + per_travel_km * km + per_trust * trust``; price = basket + tax + delivery fee (CNY),
    km = the customer's round trip to the store or airport.
    """

    constants: dict[Name, LogitCoefficient] = Field(
        default_factory=dict,
        description="alternative-specific constants by channel (0 if not listed)",
    )
    per_cny: Annotated[LogitCoefficient, Field(le=0)] = Field(default=-0.01, description="per CNY")
    per_promised_hour: Annotated[LogitCoefficient, Field(le=0)] = Field(
        default=-0.02, description="per hour of promised time"
    )
    per_travel_km: Annotated[LogitCoefficient, Field(le=0)] = Field(
        default=-0.15, description="per km travelled there and back"
    )
    per_trust: Annotated[LogitCoefficient, Field(ge=0)] = Field(
        default=2.0, description="per unit of trust (0-1)"
    )


#: Queues where a customer may wait in person (the stage, or a store's door or checkout).
WaitsAt = Literal["pick", "pack", "front_pick", "pickup", "store_door", "store_checkout"]


def _at_the_depot() -> list[WaitsAt]:
    return ["front_pick"]


class Patience(Strict):
    """How long a segment's customers queue in person before they give up.

    At a listed stage a customer who finds ``balk_at`` or more waiting may leave at
    once (balk, with ``balk_probability``); one who joins the queue leaves after a
    patience time drawn from ``time`` if service has not begun (renege).
    """

    at: list[WaitsAt] = Field(
        default_factory=_at_the_depot,
        min_length=1,
        description="queues where the customer waits in person (front_pick at a store: "
        "the checkout; pickup: the airport counter; store_door: the experience zone's "
        "door queue; store_checkout: the staff queue of a staff-assisted checkout, "
        "where giving up means leaving without buying)",
    )
    time: TimeDist | None = Field(
        default=None, description="patience in the queue; none: never reneges"
    )
    balk_at: PositiveCount | None = Field(
        default=None,
        description="visible queue length at which arrivals may balk; none: never balk",
    )
    balk_probability: Probability = 1.0
    channels: list[Name] = Field(
        default_factory=list,
        description="channels whose customers wait in person at those "
        "stages (a store pickup, not a delivery picked at the same store); none: all",
    )


class Memory(Strict):
    """Customers remember their orders (needs a finite ``population``).

    After an on-time delivery or collection a customer's trust in that channel and
    propensity to buy again move a share ``on_time_gain`` of the way up to 1; after
    a late one they lose a share ``late_loss``, after a failed one (missed, lost
    sale, gave up, refused) ``failed_loss``; a store visit without a purchase
    changes neither. Trust replaces the channel's
    ``offer.trust`` in the logit; an arriving customer buys with probability equal
    to the propensity, else stays away (no order).
    """

    on_time_gain: Probability = 0.05
    late_loss: Probability = 0.15
    failed_loss: Probability = 0.3
    propensity: Probability = Field(default=1.0, description="at the start, every customer")


class StockoutResponse(Strict):
    """What a segment's customers do when the shelf cannot give their whole basket.

    Probabilities of the four responses, summing to 1. The defaults are the
    worldwide averages of Gruen, Corsten and Bharadwaj (2002): 31% buy the item
    elsewhere (``switch_channel``), 45% substitute (26% another brand, 19% the
    same brand in another size or variety), 15% delay the purchase (``wait``),
    9% do not buy (``leave``).

    - ``substitute``: each short line is replaced by the nearest SKU in
      popularity rank that is on the shelf, at most ``substitute_span`` ranks
      away; if none is, the sale is lost (reason ``no_substitute``).
    - ``switch_channel``: the customer orders through one of the segment's
      channels that does not draw on the stock pool (direct mail from the
      seller), chosen by the segment's choice policy among them; with no such
      channel the sale goes to another retailer (lost, reason ``went_elsewhere``).
    - ``wait``: the order waits for the units (a backorder), whatever the
      channel's ``on_shortage``; it is cancelled (reason ``backorder_too_long``)
      if not filled within ``wait_patience``.
    - ``leave``: a lost sale (reason ``out_of_stock``).

    This replaces the channel's ``on_shortage`` for the segment's orders when the
    shelf is short and the customer sees it. Errors of a lagging stock figure
    follow the channel's rule: an oversold order (paid for units already gone), and
    a customer shown none while units were there (a stale figure). A substitute is
    picked from the live shelf (the store's shelf, or the app's "similar items in
    stock").
    """

    substitute: Probability = Field(default=0.45, description="share who take a substitute SKU")
    switch_channel: Probability = Field(
        default=0.31, description="share who buy through another channel"
    )
    wait: Probability = Field(default=0.15, description="share who wait for the units")
    leave: Probability = Field(default=0.09, description="share who do not buy")
    substitute_span: Annotated[PositiveInt, at_most(MAX_SKUS, "ranks, the most SKUs")] = Field(
        default=5, description="how many popularity ranks away a substitute may be, SKUs"
    )
    wait_patience: Duration | None = Field(
        default=None,
        description="a waiting order not filled within this is cancelled, "
        "minutes; none: waits until filled",
    )

    @model_validator(mode="after")
    def _sum_to_one(self) -> StockoutResponse:
        total = self.substitute + self.switch_channel + self.wait + self.leave
        if abs(total - 1.0) > 1e-6:
            raise ValueError(
                f"substitute + switch_channel + wait + leave must be 1 (got {total:.6g})"
            )
        return self

    def probabilities(self) -> tuple[float, float, float, float]:
        """In the order of :class:`o2osim.recorder.Response`."""
        return (self.substitute, self.switch_channel, self.wait, self.leave)


class Journeys(Strict):
    """Journeys between the store and the online shop, and what a bad visit costs.

    Showrooming (try in the store, buy online): a store visitor who leaves without
    buying places the same basket online, on ``showroom_channel``, ``showroom_after``
    later, with probability ``showrooming``. Webrooming (browse online, buy in the
    store): a customer whose choice fell on a channel that does not start at the
    store goes to the store instead (``webroom_channel``, after ``webroom_after``)
    with probability ``webrooming``, and buys there with
    ``webroom_purchase_probability``. GfK 2014: ~28% of shoppers showroom, ~41%
    webroom. A visitor who waited longer than ``bad_wait`` at the door
    buys with the store's probability times ``bad_experience_factor``; with a
    ``memory`` so does a customer whose last store visit was bad (a long door wait,
    or a failed order at a store channel) until a good visit.
    """

    showrooming: Probability = Field(
        default=0.0,
        description="chance that a store visitor who does not buy in the store "
        "buys the same basket online later",
    )
    showroom_channel: Name | None = Field(
        default=None,
        description="the segment's channel (not starting at the store) a showroomer orders on",
    )
    showroom_after: Duration = Field(
        default=as_written("2h"),
        description="from leaving the store to placing the online order, minutes",
    )
    webrooming: Probability = Field(
        default=0.0,
        description="chance that a customer who chose a channel not starting at "
        "the store goes to the store to buy instead",
    )
    webroom_channel: Name | None = Field(
        default=None,
        description="the segment's store channel (starting with store_visit) a webroomer buys on",
    )
    webroom_after: Duration = Field(
        default=as_written("45min"),
        description="travel from the online decision to the store door, minutes",
    )
    webroom_purchase_probability: Probability = Field(
        default=0.9,
        description="chance that a webroomer buys once inside (replaces the "
        "store's purchase_probability: they know what they want)",
    )
    bad_wait: Duration | None = Field(
        default=None,
        description="a door wait longer than this is a bad experience, "
        "minutes; none: door waits never are",
    )
    bad_experience_factor: Probability = Field(
        default=1.0,
        description="multiplies the purchase probability after a bad experience (1: no effect)",
    )


class Segment(Strict):
    """A customer segment: how many arrive, when, and which channels they use."""

    name: Name
    source: Literal["poisson", "flights"] = Field(
        default="poisson",
        description="poisson: arrivals_per_day shaped by the profiles; flights: travellers "
        "pre-order from the [airport.flights] schedule",
    )
    arrivals_per_day: (
        Annotated[
            float, Field(ge=0), at_most(MAX_ARRIVALS_PER_DAY, "arrivals a day in one segment")
        ]
        | None
    ) = Field(default=None, description="mean arrivals per day (poisson source only)")
    hourly_profile: HourlyProfile = "flat"
    weekday_profile: WeekdayProfile = "flat"
    channels: list[Name] = Field(min_length=1)
    channel_shares: list[Weight] | None = None
    distance_km: NumberDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": 5.0, "cv": 0.6},
        description="straight-line distance from the customer's home to the depot "
        "``around``, km (the direction is uniformly random)",
    )
    around: Name = Field(default=WAREHOUSE, description="the depot customers live around")
    population: (
        Annotated[PositiveInt, at_most(MAX_POPULATION, "customers; Chongqing has ~32 M")] | None
    ) = Field(
        default=None,
        description="customers in the segment; each order is drawn from them uniformly, so "
        "per-person limits apply. None: every order is a new person",
    )
    split_on_rejection: Probability = Field(
        default=0.0,
        description="chance that a customer whose order customs rejects for the per-order "
        "limit splits it into orders within the limit (else the order is dropped)",
    )
    resubmit_after: Duration = Field(
        default=as_written("10min"), description="time to place the split orders, minutes"
    )
    store: Name | None = Field(
        default=None, description="the store this segment visits (default: the first store)"
    )
    peak_days: list[PeakDay] = Field(
        default_factory=list, description="dates whose arrivals are multiplied (Double 11)"
    )
    memory: Memory | None = None
    choice: Annotated[str, policy_name("choice")] = Field(
        default="shares",
        description="channel choice policy, by name: shares "
        "(channel_shares) or logit (on what each channel offers)",
    )
    logit: Logit = Logit()
    stockout: StockoutResponse | None = Field(
        default=None,
        description="how customers respond to a stock-out; none: the channel's on_shortage decides",
    )
    patience: Patience | None = None
    journeys: Journeys | None = Field(
        default=None,
        description="showrooming, webrooming and bad experiences at the store; "
        "none: customers keep the channel they chose",
    )

    @model_validator(mode="after")
    def _shares(self) -> Segment:
        if self.source == "poisson" and self.arrivals_per_day is None:
            raise ValueError('arrivals_per_day is required (or set source = "flights")')
        if self.source == "flights" and self.arrivals_per_day is not None:
            raise ValueError(
                'arrivals_per_day does not apply to source = "flights": '
                "pre-orders come from [airport.flights]"
            )
        if len(set(self.channels)) != len(self.channels):
            raise ValueError(f"channels are listed twice in {self.channels}")
        if self.channel_shares is not None:
            if len(self.channel_shares) != len(self.channels):
                raise ValueError(
                    f"channel_shares has {len(self.channel_shares)} values for "
                    f"{len(self.channels)} channels"
                )
            if sum(self.channel_shares) <= 0:
                raise ValueError("channel_shares must have at least one value > 0")
        dates = [p.date for p in self.peak_days]
        if len(set(dates)) != len(dates):
            raise ValueError("peak_days lists a date twice")
        return self


class CalendarEvent(Strict):
    """A named run of dates on which arrivals are multiplied (Double 11, 618, Spring Festival).

    Applies to the listed segments (all when none are listed); factors of events on
    the same date multiply.
    """

    name: Name
    start: Annotated[dt.date, Field(strict=False)] = Field(description="first date")
    days: Annotated[PositiveInt, at_most(MAX_HORIZON / DAY, "days, the longest run")] = Field(
        default=1, description="consecutive dates from start"
    )
    factor: DayFactor = Field(description="arrival multiplier")
    segments: list[Name] = Field(default_factory=list)
    discount: Probability = Field(
        default=0.0, description="share taken off the retail price of orders placed on these dates"
    )


class Customers(Strict):
    segments: list[Segment] = Field(min_length=1)
    calendar: list[CalendarEvent] = Field(
        default_factory=list, description="dates with more (or fewer) arrivals"
    )

    @model_validator(mode="after")
    def _unique(self) -> Customers:
        names = [s.name for s in self.segments]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"segment names must be unique; repeated: {', '.join(dupes)}")
        for i, event in enumerate(self.calendar):
            unknown = [n for n in event.segments if n not in names]
            if unknown:
                raise KeyPathError(
                    f"customers.calendar[{i}].segments",
                    unknown,
                    f"no such segment; segments: {', '.join(names)}",
                )
        return self
