"""The typed, frozen scenario: every parameter of a run, loaded from TOML.

This module validates and resolves scenario files (design §3) and applies
dotted ``--set`` overrides. It turns every problem into one
:class:`ScenarioError` line naming the file, the key path, the value and what is
allowed. It must not build or run the model.

Units: durations are minutes (written with units in the file), money is CNY,
distances are kilometres, rates are per day unless a key says otherwise.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import hashlib
import itertools
import json
import math
import os
import re
import stat
import tomllib
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import tomli_w
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
    model_validator,
)

from .choice import CHOICE_POLICIES
from .dispatch import DISPATCH_POLICIES
from .distributions import DIST_NAMES, Duration, NumberDist, TimeDist
from .limits import (
    MAX_AREA_M2,
    MAX_ARRIVALS_PER_DAY,
    MAX_COUNT,
    MAX_DAY_FACTOR,
    MAX_DEPARTURES_PER_DAY,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_HORIZON,
    MAX_LOGIT,
    MAX_NUMBER,
    MAX_POPULATION,
    MAX_SEATS,
    MAX_SERVERS,
    MAX_SKUS,
    MAX_SLOT_CHOICES,
    MAX_START,
    MAX_STOCK_DAYS,
    MAX_TRIP_ORDERS,
    MIN_PERIOD,
    MIN_START,
)
from .profiles import HOURLY_PROFILES, TRAFFIC_PROFILES, WEEKDAY_PROFILES
from .units import DAY, format_duration

LAYOUTS = (
    "direct_mail",
    "bonded_front_store",
    "airport_pickup",
    "instant_delivery",
    "omnichannel_hub",
    "export",
)
#: Stages a channel's route may use, in the order an order meets them. A route is any
#: subsequence that ends in at most one hand-over stage (:data:`TERMINAL_STAGES`): e.g.
#: a walk-in buying for take-away is ``store_visit -> reserve -> customs -> pick ->
#: collect``, a direct-mail parcel ``seller_ship -> port_customs -> courier``, an
#: airport pre-order ``reserve -> customs -> pick -> pack -> linehaul -> stage -> pickup``.
#: ``pick`` and ``pack`` happen at the bonded warehouse; ``front_pick`` at the channel's
#: own depot (a front warehouse or store); ``hold`` keeps a presale order until its slot.
STAGES = (
    "store_visit",   # experience zone of a front store: browse, try, scan and pay
    "reserve",       # take the units from the one bonded stock pool
    "customs",       # mode 1210 clearance out of the bonded warehouse
    "pick",          # pickers and/or AGVs at the bonded warehouse, time per line
    "pack",
    "front_pick",    # pickers at the channel's depot (front warehouse or store)
    "sort",          # sorter with a throughput (items per hour)
    "seller_ship",   # direct mail (9610): overseas seller's parcel to the port
    "port_customs",  # direct mail: clearance at the port
    "hold",          # presale: held until the chosen slot
    "collect",       # take-away at the store's counter
    "deliver",       # a courier fleet from the channel's depot
    "regional",      # dispatch waves with cut-offs, next-day regional delivery
    "courier",       # direct mail: national courier
    "linehaul",      # airport: scheduled truck runs to the airport
    "stage",         # airport: shelved at the counter
    "pickup",        # airport: face-ID check and hand-over
)
#: Stages that hand the goods to the customer; a route has at most one, and last.
TERMINAL_STAGES = ("collect", "deliver", "regional", "courier", "pickup")
#: The airport's stages; a route using any of them ends at ``pickup``.
AIRPORT_STAGES = ("linehaul", "stage", "pickup")
#: Stages that need the ``[warehouse]`` table.
WAREHOUSE_STAGES = ("reserve", "pick", "pack", "sort", "regional")
#: Allocation rules of the one stock pool (o2osim.facilities.stock.ALLOCATION).
ALLOCATIONS = ("fcfs", "channel_priority", "walk_in_reserve")
#: Replenishment policies (o2osim.facilities.supply.REPLENISHMENT), or none.
REPLENISHMENT_POLICIES = ("s_S", "r_Q", "base_stock", "none")
#: The depot name of the bonded warehouse; other depots are named under ``[depots]``.
WAREHOUSE = "warehouse"
#: The fleet name of the ``[couriers]`` table; other fleets are named under ``[fleets]``.
COURIERS = "couriers"

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
PositiveInt = Annotated[int, Field(ge=1)]


def _at_most(limit: float, what: str) -> AfterValidator:
    """An upper sanity limit of :mod:`o2osim.limits`, named with its reason in the message."""
    shown = f"{limit:,.0f}" if float(limit).is_integer() else f"{limit:g}"

    def check(value: float) -> float:
        if value > limit:
            raise ValueError(f"must be at most {shown} ({what})")
        return value

    return AfterValidator(check)


def _period(what: str, zero: str | None = None) -> AfterValidator:
    """A duration that recurs on its own: at least MIN_PERIOD, or 0 if 0 means ``zero``."""

    def check(value: float | None) -> float | None:
        if value is None or (zero is not None and value == 0) or value >= MIN_PERIOD:
            return value
        allowed = f'"0s" ({zero}) or at least 1s' if zero else "at least 1s"
        raise ValueError(f"{what} repeats, so it is {allowed}; shorter periods only flood the "
                         f"run with timer events (got {format_duration(value)})")

    return AfterValidator(check)


#: Servers or staff of one resource (pickers, riders, counters, officers).
Servers = Annotated[int, Field(ge=1), _at_most(MAX_SERVERS, "servers of one resource")]
#: Optional servers of one resource (AGVs, mirrors, store staff): 0 means none.
SomeServers = Annotated[int, Field(ge=0), _at_most(MAX_SERVERS, "servers of one resource")]
#: An integer that is only stored and compared (stock units, orders per wave).
Count = Annotated[int, Field(ge=0), _at_most(MAX_COUNT, "o2osim's limit on a count")]
PositiveCount = Annotated[int, Field(ge=1), _at_most(MAX_COUNT, "o2osim's limit on a count")]
#: Days of mean demand held as stock.
StockDays = Annotated[float, Field(ge=0), _at_most(MAX_STOCK_DAYS, "days of demand, 10 years")]
PositiveStockDays = Annotated[float, Field(gt=0),
                              _at_most(MAX_STOCK_DAYS, "days of demand, 10 years")]
#: A multiplier of one day's arrivals (peak days, calendar events).
DayFactor = Annotated[float, Field(ge=0),
                      _at_most(MAX_DAY_FACTOR, "times a normal day; Double 11 is 10-20")]
#: A relative weight (profiles, channel shares).
Weight = Annotated[float, Field(ge=0), _at_most(MAX_NUMBER, "o2osim's limit on a weight")]
#: A plain positive amount that is only multiplied and compared (CNY limits, km, items/h).
Amount = Annotated[float, Field(gt=0), _at_most(MAX_NUMBER, "o2osim's limit on an amount")]
Seats = Annotated[int, Field(ge=1), _at_most(MAX_SEATS, "seats of one flight; an A380 has 853")]
#: A logit coefficient: bounded so that utilities stay finite.
LogitCoefficient = Annotated[float, Field(ge=-MAX_LOGIT, le=MAX_LOGIT)]
#: A position on the city plane, km from the city origin (east or north).
Coordinate = Annotated[float, Field(ge=-1000, le=1000)]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


def _time_of_day(value: Any) -> float:
    text = value.strip() if isinstance(value, str) else ""
    match = re.fullmatch(r"([0-9]{2}):([0-9]{2})", text)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f'a time of day is written "HH:MM", "00:00" to "23:59" (got {value!r})')
    return float(int(match.group(1)) * 60 + int(match.group(2)))


def _format_time_of_day(minutes: float) -> str:
    return f"{int(minutes) // 60:02d}:{int(minutes) % 60:02d}"


#: A clock time of day written "HH:MM"; held as minutes after midnight.
TimeOfDay = Annotated[
    float,
    BeforeValidator(_time_of_day),
    PlainSerializer(_format_time_of_day, return_type=str),
]


class ScenarioError(ValueError):
    """A scenario problem, already phrased as one line for the user."""


#: The ``value`` of a :class:`KeyPathError` about a key that is not in the file.
ABSENT = object()


class KeyPathError(ValueError):
    """Raised by cross-field checks to name the key path at fault, not the whole table."""

    def __init__(self, path: str, value: Any, message: str) -> None:
        super().__init__(message)
        self.path, self.value, self.message = path, value, message


class Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, strict=True, allow_inf_nan=False
    )


class Meta(Strict):
    """The ``[scenario]`` table: identity, calendar and run length."""

    name: Name
    layout: Literal[LAYOUTS]  # type: ignore[valid-type]
    description: str = ""
    start: Annotated[dt.date, Field(strict=False, ge=MIN_START, le=MAX_START)] = \
        dt.date(2026, 11, 1)  # "2026-11-01" too
    horizon: Duration = Field(description="simulated time, minutes")
    warmup: Duration = Field(default="0s", description="statistics ignore this first span, minutes")
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0

    @field_validator("horizon")
    @classmethod
    def _horizon_positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("horizon must be longer than 0s")
        if value > MAX_HORIZON:
            raise ValueError(f"horizon must be at most {format_duration(MAX_HORIZON)} "
                             "(10 years, o2osim's longest run)")
        return value


def _policy_name(family: str, registry: dict[str, Any]) -> AfterValidator:
    """Validates the name of a policy of ``family`` registered in ``registry``."""

    def known(value: str) -> str:
        if value not in registry:
            raise ValueError(f"unknown {family} policy {value!r}; allowed: "
                             f"{', '.join(registry)}")
        return value

    return AfterValidator(known)


def _check_profile(value: str | list[float], names: dict[str, Any], length: int) -> Any:
    if isinstance(value, str):
        if value not in names:
            raise ValueError(f"unknown profile {value!r}; allowed: {', '.join(names)} "
                             f"or a list of {length} weights")
        return value
    if len(value) != length:
        raise ValueError(f"a custom profile needs {length} weights (got {len(value)})")
    if min(value) < 0 or sum(value) <= 0:
        raise ValueError("profile weights must be >= 0 with at least one > 0")
    return value


_Weights = str | list[Weight]
#: A named hourly profile or 24 weights (hour 0 = midnight).
HourlyProfile = Annotated[_Weights, AfterValidator(
    lambda value: _check_profile(value, HOURLY_PROFILES, 24))]
#: A named weekday profile or 7 weights (Monday first).
WeekdayProfile = Annotated[_Weights, AfterValidator(
    lambda value: _check_profile(value, WEEKDAY_PROFILES, 7))]


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
        default_factory=dict, description="alternative-specific constants by channel (0 if "
        "not listed)")
    per_cny: Annotated[LogitCoefficient, Field(le=0)] = Field(default=-0.01,
                                                              description="per CNY")
    per_promised_hour: Annotated[LogitCoefficient, Field(le=0)] = Field(
        default=-0.02, description="per hour of promised time")
    per_travel_km: Annotated[LogitCoefficient, Field(le=0)] = Field(
        default=-0.15, description="per km travelled there and back")
    per_trust: Annotated[LogitCoefficient, Field(ge=0)] = Field(
        default=2.0, description="per unit of trust (0-1)")


class Patience(Strict):
    """How long a segment's customers queue in person before they give up.

    At a listed stage a customer who finds ``balk_at`` or more waiting may leave at
    once (balk, with ``balk_probability``); one who joins the queue leaves after a
    patience time drawn from ``time`` if service has not begun (renege).
    """

    at: list[Literal["pick", "pack", "front_pick", "pickup", "store_door", "store_checkout"]] = \
        Field(default_factory=lambda: ["front_pick"], min_length=1,
              description="queues where the customer waits in person (front_pick at a store: "
              "the checkout; pickup: the airport counter; store_door: the experience zone's "
              "door queue; store_checkout: the staff queue of a staff-assisted checkout, "
              "where giving up means leaving without buying)")
    time: TimeDist | None = Field(default=None, description="patience in the queue; none: "
                                  "never reneges")
    balk_at: PositiveCount | None = Field(default=None, description="visible queue length at "
                                        "which arrivals may balk; none: never balk")
    balk_probability: Probability = 1.0
    channels: list[Name] = Field(
        default_factory=list, description="channels whose customers wait in person at those "
        "stages (a store pickup, not a delivery picked at the same store); none: all")


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
    switch_channel: Probability = Field(default=0.31,
                                        description="share who buy through another channel")
    wait: Probability = Field(default=0.15, description="share who wait for the units")
    leave: Probability = Field(default=0.09, description="share who do not buy")
    substitute_span: Annotated[PositiveInt, _at_most(MAX_SKUS, "ranks, the most SKUs")] = Field(
        default=5, description="how many popularity ranks away a substitute may be, SKUs")
    wait_patience: Duration | None = Field(
        default=None, description="a waiting order not filled within this is cancelled, "
        "minutes; none: waits until filled")

    @model_validator(mode="after")
    def _sum_to_one(self) -> StockoutResponse:
        total = self.substitute + self.switch_channel + self.wait + self.leave
        if abs(total - 1.0) > 1e-6:
            raise ValueError(
                f"substitute + switch_channel + wait + leave must be 1 (got {total:.6g})")
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
    webroom (design §5). A visitor who waited longer than ``bad_wait`` at the door
    buys with the store's probability times ``bad_experience_factor``; with a
    ``memory`` so does a customer whose last store visit was bad (a long door wait,
    or a failed order at a store channel) until a good visit.
    """

    showrooming: Probability = Field(
        default=0.0, description="chance that a store visitor who does not buy in the store "
        "buys the same basket online later")
    showroom_channel: Name | None = Field(
        default=None, description="the segment's channel (not starting at the store) a "
        "showroomer orders on")
    showroom_after: Duration = Field(
        default="2h", description="from leaving the store to placing the online order, minutes")
    webrooming: Probability = Field(
        default=0.0, description="chance that a customer who chose a channel not starting at "
        "the store goes to the store to buy instead")
    webroom_channel: Name | None = Field(
        default=None, description="the segment's store channel (starting with store_visit) "
        "a webroomer buys on")
    webroom_after: Duration = Field(
        default="45min", description="travel from the online decision to the store door, "
        "minutes")
    webroom_purchase_probability: Probability = Field(
        default=0.9, description="chance that a webroomer buys once inside (replaces the "
        "store's purchase_probability: they know what they want)")
    bad_wait: Duration | None = Field(
        default=None, description="a door wait longer than this is a bad experience, "
        "minutes; none: door waits never are")
    bad_experience_factor: Probability = Field(
        default=1.0, description="multiplies the purchase probability after a bad experience "
        "(1: no effect)")


class Segment(Strict):
    """A customer segment: how many arrive, when, and which channels they use."""

    name: Name
    source: Literal["poisson", "flights"] = Field(
        default="poisson",
        description="poisson: arrivals_per_day shaped by the profiles; flights: travellers "
        "pre-order from the [airport.flights] schedule",
    )
    arrivals_per_day: Annotated[float, Field(ge=0), _at_most(
        MAX_ARRIVALS_PER_DAY, "arrivals a day in one segment")] | None = Field(
        default=None, description="mean arrivals per day (poisson source only)"
    )
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
    population: Annotated[PositiveInt, _at_most(
        MAX_POPULATION, "customers; Chongqing has ~32 M")] | None = Field(
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
        default="10min", description="time to place the split orders, minutes"
    )
    store: Name | None = Field(
        default=None, description="the store this segment visits (default: the first store)"
    )
    peak_days: list[PeakDay] = Field(
        default_factory=list, description="dates whose arrivals are multiplied (Double 11)"
    )
    memory: Memory | None = None
    choice: Annotated[str, _policy_name("choice", CHOICE_POLICIES)] = Field(
        default="shares", description="channel choice policy, by name: shares "
        "(channel_shares) or logit (on what each channel offers)")
    logit: Logit = Logit()
    stockout: StockoutResponse | None = Field(
        default=None, description="how customers respond to a stock-out; none: the channel's "
        "on_shortage decides")
    patience: Patience | None = None
    journeys: Journeys | None = Field(
        default=None, description="showrooming, webrooming and bad experiences at the store; "
        "none: customers keep the channel they chose")

    @model_validator(mode="after")
    def _shares(self) -> Segment:
        if self.source == "poisson" and self.arrivals_per_day is None:
            raise ValueError('arrivals_per_day is required (or set source = "flights")')
        if self.source == "flights" and self.arrivals_per_day is not None:
            raise ValueError('arrivals_per_day does not apply to source = "flights": '
                             "pre-orders come from [airport.flights]")
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
    days: Annotated[PositiveInt, _at_most(MAX_HORIZON / DAY, "days, the longest run")] = Field(
        default=1, description="consecutive dates from start")
    factor: DayFactor = Field(description="arrival multiplier")
    segments: list[Name] = Field(default_factory=list)
    discount: Probability = Field(
        default=0.0, description="share taken off the retail price of orders placed on these dates")


class Customers(Strict):
    segments: list[Segment] = Field(min_length=1)
    calendar: list[CalendarEvent] = Field(
        default_factory=list, description="dates with more (or fewer) arrivals")

    @model_validator(mode="after")
    def _unique(self) -> Customers:
        names = [s.name for s in self.segments]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"segment names must be unique; repeated: {', '.join(dupes)}")
        for i, event in enumerate(self.calendar):
            unknown = [n for n in event.segments if n not in names]
            if unknown:
                raise KeyPathError(f"customers.calendar[{i}].segments", unknown,
                                   f"no such segment; segments: {', '.join(names)}")
        return self


class Zipf(Strict):
    dist: Literal["zipf"]
    a: Annotated[float, Field(ge=0, le=10)] = Field(description="exponent; 0 is uniform")


class Category(Strict):
    """A product category: its share of the SKUs and what happens to its returns.

    SKUs are spread over the categories by popularity rank with a golden-ratio
    sequence, so each category holds popular and rare SKUs in its share.
    """

    name: Name
    share: Annotated[float, Field(gt=0, le=1)] = Field(description="share of the SKUs")
    return_factor: Annotated[float, Field(ge=0, le=100)] = Field(
        default=1.0, description="multiplies the channel's return_rate for this category's "
        "lines; an order is returned with the channel's rate times the mean factor of its "
        "lines (at most 1)")
    resellable: Probability = Field(
        default=1.0, description="share of returned units that go back on the shelf; the "
        "rest are written off (opened cosmetics, baby formula)")


class Catalogue(Strict):
    """The SKU catalogue: how many, how popular, what they cost, basket size."""

    skus: Annotated[PositiveInt, _at_most(MAX_SKUS, "SKUs in one catalogue")]
    popularity: Zipf = Zipf(dist="zipf", a=1.1)
    price_cny: NumberDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": 180.0, "cv": 0.9},
        description="retail price per unit before tax, CNY",
    )
    items_per_order: Annotated[float, Field(ge=1, le=50)] = Field(
        default=1.6, description="mean lines per order; lines = 1 + Poisson(mean - 1)"
    )
    categories: list[Category] = Field(
        default_factory=list, description="product categories; none: one category, every "
        "return resold")

    @model_validator(mode="after")
    def _categories(self) -> Catalogue:
        names = [c.name for c in self.categories]
        if len(set(names)) != len(names):
            raise ValueError(f"category names must be unique (got {names})")
        total = sum(c.share for c in self.categories)
        if self.categories and abs(total - 1.0) > 1e-6:
            raise ValueError(f"the shares of categories must add up to 1 (got {total:.6g})")
        return self

    def sku_categories(self) -> list[int]:
        """The category index of each SKU (0-based by popularity rank); all 0 without
        categories."""
        if not self.categories:
            return [0] * self.skus
        bounds = list(itertools.accumulate(c.share for c in self.categories))
        golden = (math.sqrt(5.0) - 1.0) / 2.0
        last = len(bounds) - 1
        return [min(bisect.bisect_right(bounds, (k * golden) % 1.0), last)
                for k in range(self.skus)]


class PolicyLevels(Strict):
    """A replenishment policy and its levels, for one class of SKUs.

    Levels are days of each SKU's expected demand (``*_days``), or the same
    number of units for every SKU of the class (``*_units``, which win):

    - ``s_S``: when the inventory position is <= s, order up to S;
    - ``r_Q``: when the position is <= r, order Q (enough multiples of Q to lift it above r);
    - ``base_stock``: order up to S whenever the position is below S.

    ``review`` is the review period; ``"0s"`` reviews continuously (after every demand).
    The inventory position is on hand + on order - backordered units.
    """

    policy: Literal[REPLENISHMENT_POLICIES] = "s_S"  # type: ignore[valid-type]
    review: Annotated[Duration, _period("a review period", zero="continuous review")] = Field(
        default="1d", description='review period; "0s" is continuous')
    lead_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "7d", "cv": 0.3},
        description="supplier to bonded warehouse, minutes (unless mode names one)",
    )
    mode: Name | None = Field(default=None, description="a named transport mode (sea, air)")
    reorder_point_days: StockDays = 8.0
    order_up_to_days: PositiveStockDays = 16.0
    order_quantity_days: PositiveStockDays | None = None
    reorder_point_units: Count | None = None
    order_up_to_units: PositiveCount | None = None
    order_quantity_units: PositiveCount | None = None
    initial_stock_days: StockDays | None = Field(
        default=None, description="initial stock of the class (default: the warehouse's)"
    )

    @model_validator(mode="after")
    def _levels(self) -> PolicyLevels:
        if self.policy == "s_S":
            if self.reorder_point_units is None and self.order_up_to_units is None:
                if self.order_up_to_days <= self.reorder_point_days:
                    raise ValueError(
                        f"order_up_to_days ({self.order_up_to_days}) must exceed "
                        f"reorder_point_days ({self.reorder_point_days})"
                    )
            elif (self.reorder_point_units is not None and self.order_up_to_units is not None
                  and self.order_up_to_units <= self.reorder_point_units):
                raise ValueError(
                    f"order_up_to_units ({self.order_up_to_units}) must exceed "
                    f"reorder_point_units ({self.reorder_point_units})"
                )
        if self.policy == "r_Q" and (
            self.order_quantity_days is None and self.order_quantity_units is None
        ):
            raise ValueError("policy r_Q needs order_quantity_days or order_quantity_units")
        return self


class SkuClass(PolicyLevels):
    """A class of SKUs by popularity rank (most popular first) with its own policy."""

    name: Name
    share: Annotated[float, Field(gt=0, le=1)] = Field(description="share of the SKUs")


class Replenishment(PolicyLevels):
    """Restocking of the bonded warehouse from overseas suppliers.

    ``classes`` take the most popular SKUs in turn (A, B, ...); the SKUs left over
    follow the policy given at this level. ``modes`` name lead-time
    distributions (``sea``, ``air``) that a class can pick with ``mode``.
    """

    modes: dict[Name, TimeDist] = Field(default_factory=dict)
    classes: list[SkuClass] = Field(default_factory=list)

    @model_validator(mode="after")
    def _classes(self) -> Replenishment:
        names = [c.name for c in self.classes]
        if len(set(names)) != len(names):
            raise ValueError(f"class names must be unique (got {', '.join(names)})")
        return self


class Allocation(Strict):
    """Who gets the bonded stock when it is short (small policies chosen by name).

    ``fcfs``: first come first served. ``channel_priority``: channels ranked by
    ``priority`` (first is highest); a channel of rank k leaves ``k * guard_units``
    of each SKU for the channels above it, and backorders are served by rank.
    ``walk_in_reserve``: channels that do not start at a store leave
    ``guard_units`` of each SKU for walk-in customers.
    """

    policy: Literal[ALLOCATIONS] = "fcfs"  # type: ignore[valid-type]
    priority: list[Name] = Field(default_factory=list)
    guard_units: Count = 1


class RegionalWaves(Strict):
    """Next-day regional delivery: dispatch waves leave at cut-off times each day."""

    cutoffs: list[Duration] = Field(
        default_factory=lambda: ["20h"], min_length=1,
        description="departure times of day; an order sorted by then leaves with the wave",
    )
    capacity: Count = Field(default=0, description="orders per wave; 0 is no limit")
    delivery_time: TimeDist = Field(
        default_factory=lambda: {"dist": "triangular", "low": "10h", "mode": "14h",
                                 "high": "20h"},
        description="from the wave's departure to delivery in the region, minutes",
    )

    @field_validator("cutoffs")
    @classmethod
    def _times_of_day(cls, value: list[float]) -> list[float]:
        if any(t >= 1440 for t in value):
            raise ValueError("cut-offs are times of day, shorter than 1d")
        if len(set(value)) != len(value):
            raise ValueError("a cut-off is listed twice")
        times = sorted(value)
        gaps = [b - a for a, b in itertools.pairwise([*times, times[0] + DAY])]
        if min(gaps) < MIN_PERIOD:
            raise ValueError("waves repeat, so cut-offs are at least 1s apart (and from the "
                             "next day's first)")
        return value


class Warehouse(Strict):
    """Bonded back warehouse: one stock pool, pickers and AGVs, packers, sorter, waves."""

    pickers: Servers
    pick_time: TimeDist = Field(description="time per order line, minutes")
    packers: Servers = 4
    pack_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "40s", "cv": 0.4}
    )
    unlimited_stock: bool = False
    initial_stock_days: StockDays = 12.0
    initial_stock_units: Count | None = Field(
        default=None, description="the same initial stock for every SKU (wins over days)"
    )
    replenishment: Replenishment = Replenishment()
    allocation: Allocation = Allocation()
    sync_lag: Duration = Field(
        default="0s", description="delay before the online stock figure shows a change"
    )
    agvs: SomeServers = Field(default=0, description="AGVs picking beside pickers")
    agv_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "20s", "cv": 0.3},
        description="AGV time per order line, minutes",
    )
    sort_per_hour: Amount = Field(
        default=3600.0, description="sorter throughput, items per hour per lane"
    )
    sort_lanes: Servers = 1
    regional: RegionalWaves = RegionalWaves()
    x_km: Coordinate = 0.0
    y_km: Coordinate = 0.0


class Customs(Strict):
    """Cross-border clearance of each order: mode 1210 (bonded) or 9610 (port).

    ``capacity`` declarations are cleared in parallel, so at most
    ``capacity / mean clearance time`` declarations per minute pass.
    """

    capacity: Servers = Field(default=50, description="declarations cleared in parallel")
    clearance_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "10min", "cv": 0.8}
    )
    inspection_rate: Probability = 0.02
    inspection_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "2h", "cv": 0.5}
    )
    per_order_limit_cny: Amount = 5000.0
    annual_limit_cny: Amount = Field(
        default=26000.0, description="per person per calendar year, all cross-border orders"
    )
    tax_rate: Probability = 0.091
    document_mismatch_rate: Probability = Field(
        default=0.0, description="share of orders whose order, payment and logistics "
        "documents do not match; they go to manual handling first",
    )
    manual_officers: Servers = 2
    manual_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "30min", "cv": 0.6}
    )


class Shift(Strict):
    """A daily shift: ``riders`` couriers on duty from ``start`` to ``end`` o'clock.

    A shift whose end is not after its start runs over midnight (``"22:00"`` to
    ``"06:00"``); one that ends when it starts lasts 24 hours (always on duty).
    """

    start: TimeOfDay
    end: TimeOfDay
    riders: Servers

    @property
    def length(self) -> float:
        """How long the shift lasts, minutes (24 h if it ends when it starts)."""
        return (self.end - self.start) % DAY or DAY


def _positive_speeds(value: Any) -> Any:
    """A speed distribution must not be able to draw 0 km/h (a ride would never end)."""
    if isinstance(value, int | float):
        return value
    lowest = {
        "deterministic": lambda d: d.value,
        "uniform": lambda d: d.low,
        "triangular": lambda d: d.low,
        "empirical": lambda d: min(d.values),
    }.get(value.dist)
    if lowest is not None and lowest(value) <= 0:
        raise ValueError(f"a {value.dist} speed distribution must not reach 0 km/h")
    return value


SpeedKmh = Annotated[float, Field(gt=0, le=200)]


class Couriers(Strict):
    """A courier fleet based at one depot: riders (or van drivers), shifts, dispatch.

    ``[couriers]`` is the fleet named ``couriers``; more fleets go under
    ``[fleets.NAME]``. A courier rides out from the depot, visits a trip's stops
    and rides back; it is free again only when back at the depot. What couriers
    cost is in ``[economics]`` (per hour on duty and per delivery, by fleet resource).
    """

    riders: Servers = Field(description="couriers in the fleet (all shifts together)")
    vehicle: Literal["rider", "van"] = "rider"
    depot: Name = Field(default=WAREHOUSE, description="where the couriers start and return")
    speed_kmh: Annotated[SpeedKmh | NumberDist, AfterValidator(_positive_speeds)] = Field(
        default=18.0, description="riding speed, km/h: a number, or a distribution drawn per trip"
    )
    handover_time: TimeDist = Field(
        default_factory=lambda: {"dist": "deterministic", "value": "2min"}
    )
    trip_time: TimeDist | None = Field(
        default=None,
        description="teaching mode: a round-trip time distribution replaces distance/speed; "
        "the trip's orders count as delivered when the trip ends",
    )
    dispatch: Annotated[str, _policy_name("dispatch", DISPATCH_POLICIES)] = Field(
        default="fcfs", description="dispatch policy, by name")
    capacity: Annotated[PositiveInt, _at_most(MAX_TRIP_ORDERS, "orders on one trip")] = Field(
        default=1, description="orders per trip at most")
    batch_window: Annotated[Duration, _period("a batch window", zero="no waiting")] = Field(
        default="0s", description="batching policies: the longest a batch may hold an order"
    )
    shifts: list[Shift] | None = Field(
        default=None, description="daily shifts; none: every courier is always on duty"
    )
    absent_rate: Probability = Field(
        default=0.0, description="share of stops where nobody takes the order (it fails)"
    )
    give_up_after: Duration | None = Field(
        default=None, description="an order not dispatched within this time is cancelled"
    )

    @field_validator("give_up_after")
    @classmethod
    def _patience(cls, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise ValueError("give_up_after must be longer than 0s")
        return value

    @property
    def simple(self) -> bool:
        """One order per trip, first come first served, always on duty, nothing fails:
        the fleet is a plain c-server queue (and runs on the fast path)."""
        return (self.dispatch == "fcfs" and self.capacity == 1 and self.shifts is None
                and self.absent_rate == 0 and self.give_up_after is None)


class Depot(Strict):
    """A front warehouse or store: a place on the city plane with its own pickers."""

    kind: Literal["front_warehouse", "store"] = "front_warehouse"
    x_km: Coordinate = 0.0
    y_km: Coordinate = 0.0
    pickers: Servers
    pick_time: TimeDist = Field(description="time per order line, minutes")


class City(Strict):
    """The city plane: road distances and traffic."""

    detour_factor: Annotated[float, Field(ge=1, le=5)] = Field(
        default=1.0, description="road km per straight-line km"
    )
    traffic_profile: str | list[Annotated[float, Field(gt=0, le=10)]] = Field(
        default="free", description="travel-time multiplier by hour of day (1 = free flow)"
    )

    @field_validator("traffic_profile")
    @classmethod
    def _traffic(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in TRAFFIC_PROFILES:
            raise ValueError(f"unknown traffic profile {value!r}; allowed: "
                             f"{', '.join(TRAFFIC_PROFILES)} or a list of 24 multipliers")
        if isinstance(value, list) and len(value) != 24:
            raise ValueError(f"a custom traffic profile needs 24 multipliers (got {len(value)})")
        return value


class NextDay(Strict):
    """Promise: delivered by ``by`` o'clock on the day after the order."""

    by: TimeOfDay
    cutoff: TimeOfDay | None = Field(
        default=None, description="orders placed at or after this time of day count as "
        "placed the next day; none: no cut-off"
    )


class Slots(Strict):
    """Presale: the customer picks a delivery slot when ordering."""

    length: Annotated[Duration, _period("a slot")]
    first: TimeOfDay = Field(description="start of the day's first slot")
    last: TimeOfDay = Field(description="start of the day's last slot")
    lead: Duration = Field(default="0s", description="the earliest slot starts at least "
                           "this long after the order")
    choices: Annotated[PositiveInt, _at_most(MAX_SLOT_CHOICES, "slots to choose among")] = Field(
        default=1, description="the customer picks uniformly among the next this many slots "
        "(1: the earliest)")
    release_before: Duration = Field(
        default="0s", description="a held order is released for dispatch this long before "
        "its slot starts"
    )

    @model_validator(mode="after")
    def _times(self) -> Slots:
        if self.last < self.first:
            raise ValueError(f"last ({_format_time_of_day(self.last)}) is before first "
                             f"({_format_time_of_day(self.first)})")
        return self


class Store(Strict):
    """A front store's experience zone: door, AR mirrors, staff and QR checkout.

    Visitors wait at the door when the zone is full (or leave, if ``door_queue``
    is false: then the zone is a loss system). Inside, a visitor browses, may use
    an AR mirror, may be helped by staff, and buys with probability
    ``purchase_probability`` by scanning a QR code and paying online; a share
    needs a staff member to check out. Display samples are not sellable stock.
    """

    name: Name
    capacity: Servers = Field(description="visitors allowed in the experience zone at once")
    door_queue: bool = True
    browse_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "20min", "cv": 0.6}
    )
    ar_mirrors: SomeServers = 0
    mirror_share: Probability = 0.0
    mirror_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "4min", "cv": 0.5}
    )
    staff: SomeServers = 0
    help_share: Probability = 0.0
    help_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "5min", "cv": 0.5}
    )
    purchase_probability: Probability = 0.4
    checkout_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "1min", "cv": 0.5},
        description="self-service: scan the QR code and pay online, minutes",
    )
    checkout_staff_share: Probability = 0.0
    checkout_staff_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "3min", "cv": 0.5}
    )
    handover_time: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "10min", "cv": 0.5},
        description="take-away: from the back warehouse to the customer at the counter",
    )
    display_samples_per_sku: Count = 1

    @model_validator(mode="after")
    def _resources(self) -> Store:
        if self.mirror_share > 0 and self.ar_mirrors == 0:
            raise ValueError(f"mirror_share {self.mirror_share} needs ar_mirrors >= 1")
        for share in ("help_share", "checkout_staff_share"):
            if getattr(self, share) > 0 and self.staff == 0:
                raise ValueError(f"{share} {getattr(self, share)} needs staff >= 1")
        return self


class DirectMail(Strict):
    """Direct mail (mode 9610): the overseas seller's parcel, port customs, national courier."""

    parcel_transit: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "9d", "cv": 0.4},
        description="seller handling and international transit to the port, minutes",
    )
    port_customs: Customs = Customs(
        capacity=20,
        clearance_time={"dist": "lognormal", "mean": "1d", "cv": 0.8},  # type: ignore[arg-type]
        inspection_rate=0.05,
        inspection_time={"dist": "lognormal", "mean": "3d", "cv": 0.5},  # type: ignore[arg-type]
    )
    courier_transit: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "3d", "cv": 0.4},
        description="national courier from the port to the customer, minutes",
    )
class Offer(Strict):
    """What a channel offers a choosing customer beyond the basket (logit choice)."""

    tax_rate: Probability | None = Field(
        default=None, description="import tax on the basket; none: customs.tax_rate (the "
        "airport's tax_rate for travellers)")
    promised_time: Duration | None = Field(
        default=None, description="the promise as customers perceive it; none: the "
        "channel's promise (needed for next_day and slots channels)")
    customer_travels: bool = Field(
        default=False, description="the customer goes to the channel's depot (a store, the "
        "airport) instead of waiting for a courier")
    trust: Probability = Field(default=1.0, description="trust in authenticity and delivery")


class Channel(Strict):
    """A sales channel: its fulfilment route (data, not code), its depot, fleet, promise
    and what happens when stock is short.

    The promise is exactly one of ``promise`` (a lead time), ``next_day`` or
    ``slots`` (presale).
    """

    route: list[Literal[STAGES]] = Field(min_length=1)  # type: ignore[valid-type]
    promise: Duration | None = Field(
        default=None, description="promised lead time from order to delivery, minutes"
    )
    next_day: NextDay | None = None
    slots: Slots | None = None
    fleet: Name = Field(default=COURIERS, description="the fleet that delivers (stage deliver)")
    depot: Name | None = Field(
        default=None, description="where the order is fulfilled; default: the fleet's depot "
        "if the route delivers, else the bonded warehouse"
    )
    max_distance_km: Amount | None = Field(
        default=None, description="orders from farther away (road km from the depot) are refused"
    )
    on_shortage: Literal["lose", "backorder"] = Field(
        default="lose", description="out of stock: the sale is lost, or the order waits"
    )
    stock_view: Literal["synced", "live"] = Field(
        default="synced",
        description="customers see the stock figure after the sync lag, or the live one",
    )
    return_rate: Probability = 0.0
    return_after: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "5d", "cv": 0.5},
        description="from delivery to the return reaching the warehouse, minutes",
    )
    offer: Offer = Offer()

    @model_validator(mode="after")
    def _route(self) -> Channel:
        order = [STAGES.index(s) for s in self.route]
        got = " -> ".join(self.route)
        if order != sorted(set(order)):
            # The stage order from the route's earliest stage on: what the user needs to see.
            raise ValueError(
                f"route stages must be distinct and in the order "
                f"{' -> '.join(STAGES[min(order):])} (got {got})"
            )
        airport = [s for s in self.route if s in AIRPORT_STAGES]
        if airport and "deliver" in self.route:
            raise ValueError(f"a route ends at deliver or at the airport, not both (got {got})")
        if airport and self.route[-1] != "pickup":
            raise ValueError(f"a route through the airport ends at pickup (got {got})")
        # A traveller's order has a flight to catch: it cannot browse a store first or
        # wait for stock, because its cut-off would fire while it is held there.
        if airport and self.route[0] == "store_visit":
            raise ValueError(f"a route through the airport does not start at a store (got {got})")
        if airport and self.on_shortage == "backorder":
            raise ValueError('a route through the airport cannot wait for stock: use '
                             'on_shortage = "lose"')
        ends = [s for s in self.route if s in TERMINAL_STAGES]
        if len(ends) > 1:
            raise ValueError(
                f"a route ends at one of {', '.join(TERMINAL_STAGES)} (got {', '.join(ends)})"
            )
        return self


class Flight(Strict):
    """One departure of the timetable; it leaves every day at ``departs``."""

    name: Annotated[str, Field(min_length=1, max_length=16)]
    departs: TimeOfDay
    seats: Seats | None = Field(default=None, description="default: airport.flights.seats")


class Flights(Strict):
    """The departure schedule: a daily timetable, or departures per day shaped by profiles.

    With ``departures_per_day`` the timetable is deterministic: the k-th flight of a day
    leaves when the day's cumulative profile reaches k - 1/2 flights.
    """

    departures_per_day: Annotated[float, Field(gt=0), _at_most(
        MAX_DEPARTURES_PER_DAY, "departures a day; the busiest airports see ~1,500")] | None = None
    hourly_profile: HourlyProfile = "flat"
    weekday_profile: WeekdayProfile = "flat"
    timetable: list[Flight] = Field(default_factory=list, max_length=MAX_DEPARTURES_PER_DAY)
    seats: Seats = 180
    load_factor: Probability = Field(default=0.85, description="share of seats taken")

    @model_validator(mode="after")
    def _one_schedule(self) -> Flights:
        if (self.departures_per_day is None) == (not self.timetable):
            raise ValueError("give either departures_per_day or a timetable of flights")
        return self


class LineHaul(Strict):
    """Scheduled truck runs from the bonded warehouse to the airport, daily from first to last."""

    every: Annotated[Duration, _period("a line-haul run")] = "1h"
    first: TimeOfDay = "00:00"
    last: TimeOfDay = "23:59"
    travel_time: TimeDist = Field(
        default_factory=lambda: {"dist": "deterministic", "value": "45min"}
    )
    capacity: PositiveCount | None = Field(default=None,
                                           description="orders per run; none: no limit")
    ship_within: Duration | None = Field(
        default=None, description="an order rides no run earlier than this long before its "
        "flight (airport shelf space); none: the next run"
    )
    loading: Literal["fifo", "earliest_departure"] = Field(
        default="earliest_departure", description="which waiting orders a full truck takes"
    )

    @model_validator(mode="after")
    def _runs(self) -> LineHaul:
        if self.ship_within is not None and self.ship_within <= 0:
            raise ValueError("ship_within must be longer than 0s")
        if self.last < self.first:
            raise ValueError(f"last ({_format_time_of_day(self.last)}) is before first "
                             f"({_format_time_of_day(self.first)})")
        return self


def _duty_free_catalogue() -> Catalogue:
    return Catalogue.model_validate({
        "skus": 400,
        "price_cny": {"dist": "lognormal", "mean": 450.0, "cv": 0.8},
        "items_per_order": 1.4,
    })


class Airport(Strict):
    """Airport buy & pick up: pre-orders linked to flights, staging, pickup counters.

    Times before departure (``last_call``, ``staging_cutoff``, ``order_cutoff``,
    ``preorder_window``) are measured back from the flight's departure.
    """

    counters: Servers = Field(description="pickup counters installed")
    staffing: list[SomeServers] | None = Field(
        default=None, description="counters open in each hour of the day (24 values); "
        "none: every counter all day"
    )
    id_check_time: TimeDist = Field(
        default_factory=lambda: {"dist": "deterministic", "value": "10s"},
        description="face-ID check at the counter",
    )
    pickup_time: TimeDist = Field(
        default_factory=lambda: {"dist": "exponential", "mean": "80s"},
        description="hand-over of the goods after the ID check",
    )
    arrive_before: TimeDist = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": "100min", "cv": 0.35},
        description="how long before departure the passenger reaches the counter",
    )
    last_call: Duration = Field(
        default="30min", description="a passenger still queueing this long before departure "
        "leaves without the goods"
    )
    staging_cutoff: Duration = Field(
        default="90min", description="an order not staged this long before departure fails"
    )
    staging_time: TimeDist = Field(
        default_factory=lambda: {"dist": "deterministic", "value": "10min"},
        description="unload, sort and shelve one order at the counter",
    )
    preorder_share: Probability = Field(default=0.15, description="share of passengers "
                                        "who pre-order")
    preorder_window: Duration = Field(default="72h", description="earliest order before "
                                      "departure")
    order_cutoff: Duration = Field(default="5h", description="latest order before departure")
    lead_time: TimeDist = Field(
        default_factory=lambda: {"dist": "uniform", "low": "5h", "high": "72h"},
        description="order placed this long before departure; redrawn outside "
        "[order_cutoff, preorder_window]",
    )
    tax_rate: Probability = Field(default=0.0, description="duty-free: no import tax")
    catalogue: Catalogue = Field(default_factory=_duty_free_catalogue)
    flights: Flights | None = None
    linehaul: LineHaul = LineHaul()

    @model_validator(mode="after")
    def _times(self) -> Airport:
        chain = [("last_call", self.last_call), ("staging_cutoff", self.staging_cutoff),
                 ("order_cutoff", self.order_cutoff), ("preorder_window", self.preorder_window)]
        for (short, low), (long, high) in itertools.pairwise(chain):
            if low >= high:
                raise KeyPathError(
                    f"airport.{short}", format_duration(low),
                    f"must be shorter than airport.{long} ({format_duration(high)})",
                )
        if self.staffing is not None:
            if len(self.staffing) != 24:
                raise KeyPathError("airport.staffing", self.staffing,
                                   f"needs 24 values, one per hour (got {len(self.staffing)})")
            if max(self.staffing) > self.counters or max(self.staffing) == 0:
                raise KeyPathError(
                    "airport.staffing", self.staffing,
                    f"each hour opens 0 to {self.counters} counters (airport.counters), "
                    "and at least one hour opens one",
                )
        return self


Money = Annotated[float, Field(ge=0, le=1e9)]


class Site(Strict):
    """A store or warehouse that pays rent and fixed staff (not modelled as servers)."""

    name: Name
    area_m2: Annotated[float, Field(gt=0), _at_most(MAX_AREA_M2, "m2 in one site")]
    rent_cny_per_m2_day: Money
    staff: SomeServers = 0
    staff_cny_per_hour: Money = 0.0
    opening_hours_per_day: Annotated[float, Field(ge=0, le=24)] = 24.0


class DeliveryFee(Strict):
    """What the customer pays for delivery, waived at or above a basket value."""

    fee_cny: Money
    free_above_cny: Money | None = None


def _default_sites() -> list[dict[str, Any]]:
    # Bonded complex (Xiasha: 12,000 m2); bonded warehouse rent in Zhejiang ~RMB 1.2/m2/day.
    return [{"name": "bonded_warehouse", "area_m2": 12000.0, "rent_cny_per_m2_day": 1.2,
             "staff": 6, "staff_cny_per_hour": 35.0}]


class Economics(Strict):
    """Prices, costs and margins (CNY). Defaults are sourced in design.md §5.

    Labour is paid per staffed server-hour of each resource (``labour_cny_per_hour``
    keyed by resource name); ``per_event_cny`` prices counted events (purchase
    orders, inspections...) keyed by counter name.
    """

    purchase_cost_share: Probability = Field(
        default=0.62, description="landed purchase cost as a share of the retail price")
    packaging_cny_per_order: Money = 2.0
    courier_cny_per_order: Money = Field(
        default=4.5, description="paid to the rider per delivery (instant retail: RMB 4-5)")
    fleet_cny_per_order: dict[Name, Money] = Field(
        default_factory=dict, description="per-delivery pay of a fleet by resource name "
        "(deliver, deliver_NAME); courier_cny_per_order for fleets not listed")
    customs_cny_per_declaration: Money = 1.0
    storage_cny_per_unit_day: Money = 0.05
    returns_handling_cny: Money = 15.0
    marketing_share_of_revenue: Probability = Field(
        default=0.08, description="traffic-first platforms spend ~0.28 (seeds/004)")
    labour_cny_per_hour: dict[Name, Money] = Field(
        default_factory=lambda: {"pick": 28.0, "pack": 26.0, "deliver": 15.0})
    per_event_cny: dict[Name, Money] = Field(
        default_factory=lambda: {"purchase_orders": 30.0, "inspections": 40.0})
    delivery_fees: dict[Name, DeliveryFee] = Field(default_factory=dict)
    sites: list[Site] = Field(default_factory=_default_sites)


class Recorder(Strict):
    resource_interval: Annotated[Duration, _period("a resource snapshot")] = Field(
        default="5min", description="snapshot period, minutes")


class Scenario(Strict):
    """Everything one run needs. Frozen: derive variants with :func:`with_overrides`."""

    scenario: Meta
    customers: Customers
    catalogue: Catalogue
    channels: dict[Name, Channel] = Field(min_length=1)
    warehouse: Warehouse | None = None
    customs: Customs = Customs()
    couriers: Couriers | None = None
    stores: list[Store] = Field(default_factory=list)
    direct_mail: DirectMail = DirectMail()
    fleets: dict[Name, Couriers] = Field(default_factory=dict, description="more fleets")
    depots: dict[Name, Depot] = Field(
        default_factory=dict, description="front warehouses and stores (the bonded warehouse "
        "is the depot 'warehouse')"
    )
    city: City = City()
    airport: Airport | None = None
    recorder: Recorder = Recorder()
    economics: Economics = Economics()

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        for channel in self.economics.delivery_fees:
            if channel not in self.channels:
                raise KeyPathError(
                    f"economics.delivery_fees.{channel}", channel,
                    f"no such channel; defined: {', '.join(self.channels)}",
                )
        meta = self.scenario
        if meta.warmup >= meta.horizon:
            raise KeyPathError(
                "scenario.warmup", format_duration(meta.warmup),
                f"must be shorter than scenario.horizon ({format_duration(meta.horizon)})",
            )
        if WAREHOUSE in self.depots:
            raise KeyPathError(f"depots.{WAREHOUSE}", ABSENT,
                               f"{WAREHOUSE!r} is the bonded warehouse ([warehouse]); "
                               "name this depot differently")
        if COURIERS in self.fleets:
            raise KeyPathError(f"fleets.{COURIERS}", ABSENT,
                               f"{COURIERS!r} is the fleet of [couriers]; "
                               "name this fleet differently")
        depots = [WAREHOUSE, *self.depots]
        for i, seg in enumerate(self.customers.segments):
            for ch in seg.channels:
                if ch not in self.channels:
                    raise KeyPathError(
                        f"customers.segments[{i}].channels", ch,
                        f"channel {ch!r} is not defined under [channels]; "
                        f"defined: {', '.join(self.channels)}",
                    )
            self._check_behaviour(f"customers.segments[{i}]", seg)
            self._check_stockout(f"customers.segments[{i}]", seg)


            self._check_journeys(f"customers.segments[{i}].journeys", seg)
            if seg.choice != "shares":
                for ch in seg.channels:
                    if self.perceived_promise(ch) is None:
                        raise KeyPathError(
                            f"channels.{ch}.offer.promised_time", ABSENT,
                            f"segment {seg.name!r} chooses by {seg.choice}, which needs a "
                            "promised time; this channel promises next_day or slots, so "
                            "set offer.promised_time",
                        )
            if seg.around not in depots:
                raise KeyPathError(f"customers.segments[{i}].around", seg.around,
                                   f"no depot of that name; depots: {', '.join(depots)}")
        for name, fleet in self.all_fleets().items():
            _check_fleet(_fleet_path(name), fleet, depots)
        store_names = [s.name for s in self.stores]
        if len(set(store_names)) != len(store_names):
            raise KeyPathError("stores", store_names, "store names must be unique")
        for name, channel in self.channels.items():
            if channel.route[-1] == "pickup" and self.airport is None:
                raise KeyPathError(f"channels.{name}.route", channel.route,
                                   "ends at the airport pickup but there is no [airport] table")
            for stage in channel.route:
                table = (
                    "[warehouse]" if stage in WAREHOUSE_STAGES and self.warehouse is None
                    else "[[stores]]" if stage in ("store_visit", "collect") and not self.stores
                    else None
                )
                if table:
                    raise KeyPathError(
                        f"channels.{name}.route", stage,
                        f"stage {stage!r} needs a {table} table in the scenario",
                    )
            self._check_channel(name, channel, depots)
        for i, seg in enumerate(self.customers.segments):
            if seg.store is not None and seg.store not in store_names:
                raise KeyPathError(
                    f"customers.segments[{i}].store", seg.store,
                    f"no store of that name; stores: {', '.join(store_names) or 'none'}",
                )
        if self.warehouse is not None:
            _check_replenishment(self.warehouse.replenishment)
            for ch in self.warehouse.allocation.priority:
                if ch not in self.channels:
                    raise KeyPathError(
                        "warehouse.allocation.priority", ch,
                        f"channel {ch!r} is not defined under [channels]; "
                        f"defined: {', '.join(self.channels)}",
                    )
        self._check_flights()
        return self

    @staticmethod
    def _check_behaviour(path: str, seg: Segment) -> None:
        """Memory needs people to remember; patience and logit name the segment's channels."""
        if seg.population is not None and seg.source == "flights":
            raise KeyPathError(f"{path}.population", seg.population,
                               "applies to poisson segments; travellers are not counted")
        if seg.memory is not None and seg.population is None:
            raise KeyPathError(f"{path}.memory", ABSENT,
                               "needs a finite population (set population)")
        named = {"patience.channels": seg.patience.channels if seg.patience else [],
                 "logit.constants": list(seg.logit.constants)}
        for key, channels in named.items():
            strangers = [c for c in channels if c not in seg.channels]
            if strangers:
                raise KeyPathError(f"{path}.{key}", strangers,
                                   f"not among this segment's channels {seg.channels}")

    def _check_stockout(self, path: str, seg: Segment) -> None:
        """A traveller's order cannot wait for stock: its flight leaves."""
        if seg.stockout is None or seg.stockout.wait == 0:
            return
        flying = [c for c in seg.channels if set(self.channels[c].route) & set(AIRPORT_STAGES)]
        if flying:
            raise KeyPathError(f"{path}.stockout.wait", seg.stockout.wait,
                               f"channel {flying[0]!r} goes through the airport and cannot "
                               "wait for stock; set wait = 0 and give its share to another "
                               "response")


    def _check_journeys(self, path: str, seg: Segment) -> None:
        """Showroomers order on a channel of theirs that skips the store; webroomers visit
        the store on one of theirs that starts there; travellers have no journeys."""
        journeys = seg.journeys
        if journeys is None:
            return
        if seg.source == "flights":
            raise KeyPathError(path, ABSENT, "travellers pre-order for the airport; journeys "
                               "apply to poisson segments")
        at_store = [c for c in seg.channels if c in self.channels
                    and self.channels[c].route[0] == "store_visit"]
        elsewhere = [c for c in seg.channels if c in self.channels and c not in at_store]
        for kind, wanted, allowed, what in (
                ("showroom", journeys.showrooming, elsewhere, "does not start with store_visit"),
                ("webroom", journeys.webrooming, at_store, "starts with store_visit")):
            channel = getattr(journeys, f"{kind}_channel")
            if channel is None:
                if wanted > 0:
                    raise KeyPathError(f"{path}.{kind}_channel", ABSENT,
                                       f"{kind}ing {wanted} needs a {kind}_channel: a channel "
                                       f"of this segment that {what} "
                                       f"({', '.join(allowed) or 'none here'})")
                continue
            if channel not in allowed:
                raise KeyPathError(f"{path}.{kind}_channel", channel,
                                   f"must be a channel of this segment that {what}; "
                                   f"allowed: {', '.join(allowed) or 'none'}")
            if not at_store or not elsewhere:
                raise KeyPathError(f"{path}.{kind}_channel", channel,
                                   "a journey needs both a store channel and one that skips "
                                   f"the store among the segment's channels {seg.channels}")

    def _check_channel(self, name: str, channel: Channel, depots: list[str]) -> None:
        path = f"channels.{name}"
        promises = [k for k in ("promise", "next_day", "slots") if getattr(channel, k) is not None]
        if len(promises) != 1:
            raise KeyPathError(
                path, ABSENT,
                "a channel needs exactly one promise: promise (a lead time such as \"1h\"), "
                f"next_day or slots (got {', '.join(promises) or 'none'})",
            )
        if ("hold" in channel.route) != (channel.slots is not None):
            raise KeyPathError(f"{path}.route", channel.route,
                               "a channel with slots (presale) needs the stage 'hold' in its "
                               "route, and 'hold' needs slots")
        fleets = self.all_fleets()
        if "deliver" in channel.route and channel.fleet == COURIERS and self.couriers is None:
            raise KeyPathError(f"{path}.route", channel.route,
                               "delivers by rider but there is no [couriers] table")
        if "deliver" in channel.route and channel.fleet not in fleets:
            raise KeyPathError(f"{path}.fleet", channel.fleet,
                               f"no fleet of that name; fleets: {', '.join(fleets)}")
        if channel.depot is not None and channel.depot not in depots:
            raise KeyPathError(f"{path}.depot", channel.depot,
                               f"no depot of that name; depots: {', '.join(depots)}")
        depot = self.channel_depot(name)
        if "deliver" in channel.route and depot != fleets[channel.fleet].depot:
            raise KeyPathError(f"{path}.depot", depot,
                               f"fleet {channel.fleet!r} is based at "
                               f"{fleets[channel.fleet].depot!r}; a channel delivers from "
                               "its fleet's depot")
        if "front_pick" in channel.route and depot == WAREHOUSE:
            raise KeyPathError(f"{path}.route", channel.route,
                               "'front_pick' picks at a front warehouse or store under "
                               "[depots], but this channel's depot is the bonded warehouse "
                               "(use 'pick')")
        central = [s for s in ("pick", "pack") if s in channel.route]
        if central and depot != WAREHOUSE:
            raise KeyPathError(f"{path}.route", channel.route,
                               f"{central[0]!r} happens at the bonded warehouse, but this "
                               f"channel is fulfilled at depot {depot!r} (use 'front_pick')")

    def _check_flights(self) -> None:
        flying = [i for i, s in enumerate(self.customers.segments) if s.source == "flights"]
        has_flights = self.airport is not None and self.airport.flights is not None
        if len(flying) > 1:
            raise KeyPathError(f"customers.segments[{flying[1]}].source", "flights",
                               "only one segment can take its orders from the flights")
        if flying and not has_flights:
            raise KeyPathError(f"customers.segments[{flying[0]}].source", "flights",
                               "needs a flight schedule under [airport.flights]")
        if has_flights and not flying:
            raise KeyPathError("airport.flights", "...",
                               'no segment has source = "flights", so no traveller orders')
        for i in flying:
            for ch in self.customers.segments[i].channels:
                if self.channels[ch].route[-1] != "pickup":
                    raise KeyPathError(
                        f"customers.segments[{i}].channels", ch,
                        f"travellers collect at the airport: channel {ch!r} must end at pickup",
                    )

    # -- derived facts the World and the KPIs share ------------------------------
    def all_fleets(self) -> dict[str, Couriers]:
        """Every fleet by name: ``couriers`` first, then those under ``[fleets]``."""
        first = {} if self.couriers is None else {COURIERS: self.couriers}
        return {**first, **self.fleets}

    def perceived_promise(self, channel: str) -> float | None:
        """The promised time choosing customers weigh, minutes (None: not known)."""
        spec = self.channels[channel]
        return spec.offer.promised_time if spec.offer.promised_time is not None else spec.promise

    def depot_position(self, depot: str) -> tuple[float, float]:
        """(x, y) km of a depot on the city plane (a scenario without a warehouse: 0, 0)."""
        place = self.warehouse if depot == WAREHOUSE else self.depots[depot]
        return (0.0, 0.0) if place is None else (place.x_km, place.y_km)

    def channel_depot(self, channel: str) -> str:
        """Where a channel's orders are fulfilled and delivered from."""
        spec = self.channels[channel]
        if spec.depot is not None:
            return spec.depot
        if "deliver" in spec.route and spec.fleet in self.all_fleets():
            return self.all_fleets()[spec.fleet].depot
        return WAREHOUSE

    def resources(self) -> dict[str, tuple[str, list[str]]]:
        """Every queueing resource some channel uses: name -> (stage, channels using it).

        Resource names: ``customs``, ``pick``, ``pack``, ``sort``, ``port_customs``
        (``*_manual`` for their manual document handling, if documents can mismatch);
        ``pick_DEPOT`` for a depot's pickers; ``deliver`` for the ``couriers`` fleet and
        ``deliver_FLEET`` for others; a store's name for its experience zone and
        ``STORE.mirrors``, ``STORE.staff`` for its mirrors and staff.
        """
        found: dict[str, tuple[str, list[str]]] = {}
        for name, channel in self.channels.items():
            for stage in channel.route:
                for resource in self.stage_resources(name, stage):
                    found.setdefault(resource, (stage, []))[1].append(name)
        return found

    def stage_resource(self, channel: str, stage: str) -> str | None:
        """The resource that serves ``stage`` of ``channel`` (None: the stage has no queue)."""
        if stage in ("customs", "pick", "pack", "pickup", "sort", "port_customs"):
            return stage
        if stage == "front_pick":
            return depot_resource(self.channel_depot(channel))
        if stage == "deliver":
            return fleet_resource(self.channels[channel].fleet)
        return None

    def stage_resources(self, channel: str, stage: str) -> list[str]:
        """Every resource that serves ``stage`` of ``channel``, main one first."""
        if stage == "store_visit":
            names: list[str] = []
            for store in self.channel_stores(channel):
                names.append(store.name)
                names += [f"{store.name}.mirrors"] if store.ar_mirrors else []
                names += [f"{store.name}.staff"] if store.staff else []
            return names
        main = self.stage_resource(channel, stage)
        if main is None:
            return []
        office = {"customs": self.customs, "port_customs": self.direct_mail.port_customs}
        if stage in office and office[stage].document_mismatch_rate > 0:
            return [main, f"{main}_manual"]
        return [main]

    def segment_store(self, segment: Segment) -> Store:
        """The store a segment's customers visit."""
        names = [s.name for s in self.stores]
        return self.stores[names.index(segment.store) if segment.store else 0]

    def channel_stores(self, channel: str) -> list[Store]:
        """The stores whose visitors use ``channel`` (through their segments)."""
        found: list[Store] = []
        for seg in self.customers.segments:
            if channel in seg.channels and self.stores:
                store = self.segment_store(seg)
                if store not in found:
                    found.append(store)
        return found


def fleet_resource(fleet: str) -> str:
    """The resource name of a fleet: ``deliver`` for ``couriers``, else ``deliver_FLEET``."""
    return "deliver" if fleet == COURIERS else f"deliver_{fleet}"


def depot_resource(depot: str) -> str:
    """The resource name of a depot's pickers: ``pick_DEPOT``."""
    return f"pick_{depot}"


def _fleet_path(name: str) -> str:
    return COURIERS if name == COURIERS else f"fleets.{name}"


def _check_fleet(path: str, fleet: Couriers, depots: list[str]) -> None:
    if fleet.depot not in depots:
        raise KeyPathError(f"{path}.depot", fleet.depot,
                           f"no depot of that name; depots: {', '.join(depots)}")
    if fleet.dispatch == "fcfs" and fleet.capacity > 1:
        raise KeyPathError(f"{path}.capacity", fleet.capacity,
                           "dispatch 'fcfs' sends one order per trip; set capacity = 1 or "
                           "choose a batching policy ('batch', 'nearest_neighbour')")
    if fleet.shifts is not None:
        on_shifts = sum(shift.riders for shift in fleet.shifts)
        if on_shifts != fleet.riders:
            raise KeyPathError(f"{path}.shifts", ABSENT,
                               f"the shifts have {on_shifts} riders in all, but "
                               f"{path}.riders = {fleet.riders}; every courier works one shift")


def _check_replenishment(rep: Replenishment) -> None:
    """Class shares fit in the catalogue; every mode a policy names is defined."""
    where = "warehouse.replenishment"
    total = 0.0
    for i, cls in enumerate(rep.classes):
        total += cls.share
        if total > 1 + 1e-9:
            raise KeyPathError(f"{where}.classes[{i}].share", cls.share,
                               f"the shares of the classes add up to {total:g}, more than 1")
    for path, spec in [(where, rep)] + [(f"{where}.classes[{i}]", c)
                                        for i, c in enumerate(rep.classes)]:
        if spec.mode is not None and spec.mode not in rep.modes:
            raise KeyPathError(f"{path}.mode", spec.mode,
                               f"not defined under {where}.modes "
                               f"(defined: {', '.join(rep.modes) or 'none'})")


# ---------------------------------------------------------------- loading


def load_scenario(
    path: str | Path, overrides: list[str] | None = None, *, origin: str = "--set"
) -> Scenario:
    """Read, override and validate a scenario file; raise :class:`ScenarioError`.

    ``origin`` names where the overrides come from in messages: ``--set`` (typed on
    the command line), or e.g. ``"experiments/x.toml: factors"`` when a program
    derived them from another file.
    """
    path = Path(path)
    raw = read_toml(path)
    return scenario_from_dict(raw, source=_printable(str(path)), overrides=overrides,
                              origin=origin)


_UTF8_BOM = b"\xef\xbb\xbf"
_NOT_FILES = ((stat.S_ISDIR, "is a folder, not a TOML file"),
              (stat.S_ISFIFO, "is a FIFO (named pipe), not a regular file"),
              (stat.S_ISCHR, "is a device, not a regular file"),
              (stat.S_ISBLK, "is a device, not a regular file"),
              (stat.S_ISSOCK, "is a socket, not a regular file"))


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning every failure into one :class:`ScenarioError` line.

    Only a regular file of at most :data:`~o2osim.limits.MAX_FILE_BYTES` is read, and
    it is checked before it is opened: opening a FIFO blocks until a writer comes, and
    ``/dev/zero`` never ends. A UTF-8 byte-order mark (Windows editors) is skipped.
    """
    name = _printable(str(path))
    text = _decode(name, _read_bytes(Path(path), name))
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{name}: not a TOML file ({exc})") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ScenarioError(f"{name}: nested too deeply (tables and lists nest at most "
                            f"{MAX_DEPTH} levels)") from None
    check_depth(raw, name)
    return raw


def _read_bytes(path: Path, name: str) -> bytes:
    if "\0" in str(path):  # os.stat would raise ValueError
        raise ScenarioError(f"{name}: not a valid file name (it holds a NUL character)")
    try:
        info = os.stat(path)
        _check_regular(name, info.st_mode)
        if info.st_size > MAX_FILE_BYTES:
            raise ScenarioError(_too_large(name))
        # O_NONBLOCK: should a FIFO replace the file after the check, open must not wait.
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            _check_regular(name, os.fstat(handle.fileno()).st_mode)
            data = handle.read(MAX_FILE_BYTES + 1)  # never more, whatever the file is
    except (FileNotFoundError, NotADirectoryError):
        raise ScenarioError(f"{name}: no such file") from None
    except OSError as exc:
        raise ScenarioError(f"{name}: cannot read ({exc.strerror})") from None
    if len(data) > MAX_FILE_BYTES:  # grew since the stat
        raise ScenarioError(_too_large(name))
    return data


def _too_large(name: str) -> str:
    return (f"{name}: larger than {MAX_FILE_BYTES // 1_000_000} MB; a scenario or experiment "
            "file is a few KB of TOML text")


def _check_regular(name: str, mode: int) -> None:
    for test, what in _NOT_FILES:
        if test(mode):
            raise ScenarioError(f"{name}: {what}")
    if not stat.S_ISREG(mode):
        raise ScenarioError(f"{name}: not a regular file")


def _decode(name: str, data: bytes) -> str:
    """UTF-8 text without a byte-order mark; the first non-UTF-8 byte is named."""
    data = data.removeprefix(_UTF8_BOM)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError(f"{name}: not a TOML file (not UTF-8 text): it is UTF-16; "
                            "save it as UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise ScenarioError(f"{name}: not a TOML file (not UTF-8 text): byte "
                            f"0x{data[exc.start]:02x} at line {line}, column {column}; "
                            "save it as UTF-8") from None


def check_depth(data: Any, where: str) -> None:
    """Refuse tables and lists nested deeper than :data:`~o2osim.limits.MAX_DEPTH`.

    Checked without recursion before anything that recurses (copying, validating,
    describing) sees the data.
    """
    stack: list[tuple[Any, int, str]] = [(data, 1, "")]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, dict):
            children = [(v, f"{path}.{_key_text(k)}" if path else _key_text(k))
                        for k, v in node.items()]
        elif isinstance(node, list):
            children = [(v, f"{path}[{i}]") for i, v in enumerate(node)]
        else:
            continue
        if depth > MAX_DEPTH:
            raise ScenarioError(f"{where}: {_short_path(path)}: nested more than {MAX_DEPTH} "
                                "levels deep (a scenario nests at most 7)")
        stack.extend((child, depth + 1, where_) for child, where_ in children)


def _short_path(path: str) -> str:
    return path if len(path) <= 60 else path[:57] + "..."


def scenario_from_dict(
    raw: dict[str, Any], source: str = "<scenario>", overrides: list[str] | None = None,
    *, origin: str = "--set",
) -> Scenario:
    """Validate a raw (TOML-shaped) dict, after applying dotted overrides.

    Messages start with ``source`` and name the override at fault as ``origin item``.
    """
    return _validated(raw, source, list(overrides or []), origin)


def with_overrides(
    scenario: Scenario, overrides: list[str], *, origin: str = "--set"
) -> Scenario:
    """Return a new scenario with dotted ``key=value`` overrides applied.

    The scenario itself is valid, so a problem is the overrides': the message starts
    with them (``origin item``), not with a file.
    """
    return _validated(scenario_to_dict(scenario), None, list(overrides), origin)


def _validated(
    raw: dict[str, Any], source: str | None, overrides: list[str], origin: str
) -> Scenario:
    """``source`` None: the data is a valid scenario and only ``overrides`` can be at fault."""
    data = apply_overrides(raw, overrides, source or "<scenario>", origin=origin)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        line = describe_validation_error(exc, data, source or "", overrides, origin=origin,
                                         before=raw, blame_all=source is None)
        raise ScenarioError(line) from None


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as TOML-shaped data (durations as strings with units)."""
    return _dist_first(scenario.model_dump(mode="python", exclude_none=True))


def _dist_first(node: Any) -> Any:
    """Put a distribution table's ``dist`` key first, as people write it."""
    if isinstance(node, dict):
        items = {k: _dist_first(v) for k, v in node.items()}
        if "dist" in items:
            items = {"dist": items.pop("dist"), **items}
        return items
    if isinstance(node, list):
        return [_dist_first(v) for v in node]
    return node


def dump_scenario(scenario: Scenario) -> str:
    """The resolved scenario as TOML text; loading it gives an equal scenario."""
    return tomli_w.dumps(scenario_to_dict(scenario))


def scenario_hash(scenario: Scenario) -> str:
    """sha256 of the resolved scenario's TOML text."""
    return hashlib.sha256(dump_scenario(scenario).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- overrides

#: A key path segment: a TOML bare key (or any word, in any script, so that a misspelt
#: "pickérs" is reported as an unknown key with a suggestion), and an optional index.
_SEGMENT = re.compile(r"^([\w-]+)(?:\[([0-9]+)\])?$")


def parse_override_value(text: str) -> Any:
    """A TOML value (``16``, ``0.5``, ``true``, ``"3h"``, ``[1, 2]``, ``{...}``), else a string.

    A value nested so deeply that the TOML parser runs out of stack raises
    ``RecursionError``; :func:`apply_overrides` turns it into one line.
    """
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def override_label(origin: str, item: str) -> str:
    """How messages name an override: ``--set k=v`` as typed, or ``file: table: k=v``.

    A very long one (a pasted table, 500 brackets) is cut, so the line stays readable.
    """
    shown = _printable(item)
    shown = shown if len(shown) <= 100 else shown[:97] + "..."
    return f"{origin} {shown}" if origin.startswith("-") else f"{origin}: {shown}"


def apply_overrides(
    raw: dict[str, Any], overrides: list[str], source: str, *, origin: str = "--set"
) -> dict[str, Any]:
    """Apply ``a.b[0].c=value`` overrides to a copy of ``raw``.

    A list of named tables can also be addressed by name:
    ``customers.segments.resident.arrivals_per_day=500``. Errors name the override
    as ``origin item`` (:func:`override_label`).
    """
    import copy

    check_depth(raw, source)  # deepcopy recurses per level
    data = copy.deepcopy(raw)
    for item in overrides:
        label = override_label(origin, item)
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            shown = override_label(origin, repr(item))
            raise ScenarioError(f"{shown}: write key=value, e.g. warehouse.pickers=16")
        try:
            value = parse_override_value(text.strip())
        except RecursionError:
            value = None  # reported just below, as for a value that parsed but is too deep
            depth = MAX_DEPTH + 1
        else:
            depth = key.count(".") + 1 + _depth(value)
        if depth > MAX_DEPTH:
            raise ScenarioError(f"{label}: nested more than {MAX_DEPTH} levels deep (a "
                                "scenario nests at most 7)")
        _set_path(data, key, value, label)
    return data


def _depth(value: Any) -> int:
    """Nesting depth of a parsed value (0 for a plain value), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack and deepest <= MAX_DEPTH:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else \
            node if isinstance(node, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _set_path(data: dict[str, Any], key: str, value: Any, label: str) -> None:
    node: Any = data
    parts = key.split(".")
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            names = [t.get("name") for t in node if isinstance(t, dict)]
            if part not in names:
                raise ScenarioError(
                    f"{label}: no entry named {part!r} under {'.'.join(parts[:depth])}; "
                    f"names: {', '.join(map(str, names))}"
                )
            if last:
                raise ScenarioError(f"{label}: cannot replace a whole table by name")
            node = node[names.index(part)]
            continue
        if not isinstance(node, dict):
            raise ScenarioError(
                f"{label}: {'.'.join(parts[:depth])} is a value ({_short(node)}), "
                f"not a table, so it has no key {part!r}"
            )
        match = _SEGMENT.match(part)
        if match is None:
            raise ScenarioError(f"{label}: {part!r} is not a key path segment")
        name, index = match.group(1), match.group(2)
        if index is not None:
            seq = node.get(name)
            if not isinstance(seq, list) or int(index) >= len(seq):
                size = len(seq) if isinstance(seq, list) else 0
                raise ScenarioError(f"{label}: {name} has {size} entries, no [{index}]")
            if last:
                seq[int(index)] = value
            else:
                node = seq[int(index)]
            continue
        if last:
            node[name] = value
        else:
            node = node.setdefault(name, {})


# ---------------------------------------------------------------- error text


def describe_validation_error(
    exc: ValidationError, data: dict[str, Any], source: str, overrides: list[str] | None = None,
    *, origin: str = "--set", before: dict[str, Any] | None = None, blame_all: bool = False,
) -> str:
    """One line for the first problem, naming the file, key path, value and what is allowed.

    If an override wrote the key at fault (or the table holding it, or created the
    unknown table it lies in: ``before`` is the data before the overrides), the line
    names that override as ``origin item`` too, so nobody searches the file for it.
    ``blame_all``: the data was valid before the overrides, so when no single one
    matches, all of them are named. An empty ``source`` starts the line with them.
    """
    errors = exc.errors(include_url=False)
    first = _likely_cause(errors)
    path, value, known = _walk(data, first["loc"])
    where = path or "(top level)"
    kind = first["type"]
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, KeyPathError):
        shown = "" if cause.value is ABSENT else f" = {_short(cause.value)}"
        line = f"{cause.path}{shown}: {cause.message}"
    elif kind == "extra_forbidden":
        allowed = _allowed_keys(first["loc"], data)
        leaf = str(first["loc"][-1])
        # 0.7, not difflib's 0.6: a typo scores >= 0.8; "reporting" vs "airport" scores 0.625.
        hint = difflib.get_close_matches(leaf, allowed, n=1, cutoff=0.7)
        did_you_mean = f"; did you mean {hint[0]!r}?" if hint else ""
        line = f"{where}: unknown key{did_you_mean} (allowed here: {', '.join(allowed)})"
    elif kind == "missing":
        line = f"{where}: required key is missing"
    else:
        msg = first["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if kind == "union_tag_invalid" or kind == "union_tag_not_found":
            msg = f"dist must be one of: {DIST_NAMES}"
        if kind == "int_type" and isinstance(value, float):  # TOML reads 1e9 as a float
            msg += " (write a whole number without a decimal point or exponent)"
        shown = f" = {_short(value)}" if known else ""
        line = f"{where}{shown}: {msg}"
    more = len(errors) - 1
    if more:
        line += f" (and {more} more problem{'s' if more > 1 else ''})"
    in_before = before is None or _walk(before, first["loc"])[2]
    fault = cause.path if isinstance(cause, KeyPathError) else path
    culprit = _blame(fault, data, overrides, created=not in_before, message=line)
    if culprit is not None:
        line = f"{override_label(origin, culprit)}: {line}"
    elif blame_all and overrides:
        line = f"{override_label(origin, ', '.join(overrides))}: {line}"
    return f"{source}: {line}" if source else line


def _likely_cause(errors: list[Any]) -> Any:
    """The error to report: an unknown key beside a missing one is most likely its misspelling."""
    first = errors[0]
    if first["type"] == "missing":
        for error in errors:
            if error["type"] == "extra_forbidden" and error["loc"][:-1] == first["loc"][:-1]:
                return error
    return first


def _printable(text: str) -> str:
    """``text`` itself, or its repr if it holds line breaks or other control characters."""
    return text if text.isprintable() else repr(text)


def _key_text(part: Any) -> str:
    """A key as a key path shows it: bare if it can be, else quoted (one line, always).

    Letters of any script stay as typed ("pickérs"); a key with spaces or punctuation is
    quoted, and control or invisible characters are escaped so that they show.
    """
    text = str(part)
    if re.fullmatch(r"[\w-]+", text):
        return text
    return json.dumps(text, ensure_ascii=not text.isprintable())


def _blame(path: str, data: Any, overrides: list[str] | None, created: bool = False,
           message: str = "") -> str | None:
    """The last override that set ``path``, a table above it, or a key directly in it.

    ``created``: ``path`` was not in the data before the overrides, so an override
    that wrote below it (``foo.bar.baz=1`` for an unknown ``foo``) created it. Else
    the last override of a key that ``message`` names: a cross-field check blames one
    key but names the other (``--set scenario.horizon="1s"`` makes the file's warm-up
    "longer than scenario.horizon").
    """
    if not path:
        return None
    targets = [(item, _override_path(data, item.partition("=")[0].strip()))
               for item in reversed(overrides or [])]
    for item, target in targets:
        parent = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", target)
        if path in (target, parent) or path.startswith((target + ".", target + "[")):
            return item
        if created and target.startswith((path + ".", path + "[")):
            return item
    for item, target in targets:
        if target and re.search(rf"(?<![\w.\[]){re.escape(target)}(?![\w.\[])", message):
            return item
    return None


def _override_path(data: Any, key: str) -> str:
    """An override's key path as :func:`_walk` spells it (named list entries by index)."""
    path, node = "", data
    for part in key.split("."):
        if isinstance(node, list):
            names = [t.get("name") if isinstance(t, dict) else None for t in node]
            if part not in names:
                break
            node = node[names.index(part)]
            path += f"[{names.index(part)}]"
            continue
        match = _SEGMENT.match(part)
        if match is None or not isinstance(node, dict):
            break
        name, index = match.group(1), match.group(2)
        node = node.get(name)
        path += f".{_key_text(name)}" if path else _key_text(name)
        if index is not None:
            path += f"[{index}]"
            node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
    return path


def _short(value: Any) -> str:
    text = value.isoformat() if isinstance(value, dt.date | dt.time) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _walk(data: Any, loc: tuple[Any, ...]) -> tuple[str, Any, bool]:
    """Follow ``loc`` through the raw data, skipping pydantic's union/validator tags."""
    path = ""
    node = data
    known = True
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            path += f"[{part}]"
        elif isinstance(node, dict) and part in node:
            node = node[part]
            path += f".{_key_text(part)}" if path else _key_text(part)
        elif _is_tag(part, node):
            continue
        else:
            path += f".{_key_text(part)}" if path else _key_text(part)
            known = False
    return path, node, known


def _is_tag(part: Any, node: Any) -> bool:
    """Is ``part`` pydantic's name for a union member or validator rather than a key?"""
    if not isinstance(part, str) or (isinstance(node, dict) and part in node):
        return False
    if isinstance(node, dict) and node.get("dist") == part:
        return True
    return ("[" in part or part.startswith("constrained-")
            or part in {"str", "list[...]", "float", "int"})


def _allowed_keys(loc: tuple[Any, ...], data: Any) -> list[str]:
    """Field names of the model that owns the unknown key at ``loc``."""
    model: Any = Scenario
    node = data
    for part in loc[:-1]:
        if _is_tag(part, node):
            continue
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
        model = _child_model(model, part, node)
        if model is None:
            return []
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _child_model(model: Any, part: Any, node: Any) -> Any:
    if isinstance(model, _ListOf):
        return _unwrap(model.item, node)
    if isinstance(model, type) and issubclass(model, BaseModel):
        if part not in model.model_fields:
            return None
        return _unwrap(model.model_fields[part].annotation, node)
    return model


def _unwrap(annotation: Any, node: Any) -> Any:
    """Reduce list/dict/Optional/discriminated-union annotations to one model class."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _unwrap(typing.get_args(annotation)[0], node)
    if origin in (list, dict):
        args = typing.get_args(annotation)
        return _ListOf(args[-1])
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        for member in members:
            member = _unwrap(member, node)
            if isinstance(member, type) and issubclass(member, BaseModel):
                tag = member.model_fields.get("dist")
                if tag is None or (isinstance(node, dict) and node.get("dist") in
                                   typing.get_args(tag.annotation)):
                    return member
        return members[0] if members else None
    return annotation


class _ListOf:
    """Stands for list[Model] / dict[str, Model] while walking a key path."""

    def __init__(self, item: Any) -> None:
        self.item = item

