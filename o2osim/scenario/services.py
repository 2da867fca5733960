"""Scenario schema of customised cross-border services: book online, consume abroad.

The ``[services.products.NAME]`` tables describe what Li (2025, §2.3) calls customised
cross-border services through domestic-foreign cooperation: a travel package, an
overseas concert or a course abroad, bought online and enjoyed at the destination on a
*service date*. Each product has a capacity per date (seats held with the foreign
partner), a booking window before each date, a price (in CNY or a foreign currency),
cancellations with a refund rule by days before the date, no-shows, and an overbooking
policy of the family ``overbooking`` (:mod:`o2osim.policies`). Times are minutes
(written with units); ``refund.days_before`` is days; money is in the product's
``currency``. Pure data: this module must not import the runtime or compute anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .errors import ABSENT, KeyPathError
from .types import (
    Amount,
    Count,
    Duration,
    Money,
    Name,
    PositiveCount,
    Probability,
    Strict,
    as_written,
    period,
    policy_name,
)

if TYPE_CHECKING:
    from .root import Scenario

CNY = "CNY"


class RefundTier(Strict):
    """A cancellation at least ``days_before`` days before the date gets back ``share``
    of the price paid."""

    days_before: Annotated[float, Field(ge=0, le=3650)] = Field(description="days")
    share: Probability


class Overbooking(Strict):
    """How many bookings a date accepts above its capacity (family ``overbooking``)."""

    policy: Annotated[str, policy_name("overbooking")] = "none"
    extra: Count = Field(default=0, description="fixed_limit: bookings accepted above the capacity")
    denied_risk: Annotated[float, Field(gt=0, lt=1)] = Field(
        default=0.05,
        description="binomial_risk: the largest booking limit whose chance that more "
        "customers show than there are places is at most this",
    )


class ServiceProduct(Strict):
    """One service sold online and consumed abroad on recurring service dates."""

    kind: Literal["travel_package", "event", "course"] = "travel_package"
    description: str = ""
    capacity: PositiveCount = Field(description="places on each service date")
    first_date: Duration = Field(description="the first service date, minutes after the start")
    every: Annotated[Duration, period("a service date")] = Field(
        default=as_written("7d"), description="time between service dates, minutes"
    )
    window: Duration = Field(
        default=as_written("60d"), description="bookings open this long before a date, minutes"
    )
    requests_per_date: Annotated[float, Field(ge=0, le=1e6)] = Field(
        description="booking requests per date over its whole window (mean of a Poisson count)"
    )
    lead_time_mean: Duration = Field(
        default=as_written("21d"),
        description="mean time before the date a request arrives (exponential booking "
        "curve cut at the window), minutes",
    )
    price: Money = Field(description="per booking, in `currency`")
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = CNY
    cny_per_unit: Amount | None = Field(
        default=None,
        description="CNY per unit of a foreign `currency` (none: the [trade] table's rate)",
    )
    cancel_probability: Probability = 0.0
    refund: list[RefundTier] = Field(
        default_factory=list,
        description="refund tiers, most days before first; a cancellation later than "
        "every tier gets nothing back",
    )
    no_show_probability: Probability = 0.0
    compensation: Money = Field(
        default=0.0, description="per customer denied service, on top of a full refund"
    )
    cost_per_seat: Money = Field(
        default=0.0, description="paid to the partner abroad per place per date, used or not"
    )
    overbooking: Overbooking = Overbooking()

    @field_validator("window", "lead_time_mean")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be longer than 0s")
        return value

    def refund_problem(self) -> str | None:
        """What is wrong with the refund tiers' order (None: nothing)."""
        days = [tier.days_before for tier in self.refund]
        if days != sorted(days, reverse=True) or len(set(days)) != len(days):
            return "refund tiers must be in strictly decreasing days_before order"
        shares = [tier.share for tier in self.refund]
        if shares != sorted(shares, reverse=True):
            return "a refund share must not grow as the date comes closer"
        return None


class Services(Strict):
    """The ``[services]`` table: the service products sold (none: no services)."""

    products: dict[Name, ServiceProduct] = Field(min_length=1)

    @model_validator(mode="after")
    def _refund_order(self) -> Services:
        for name, product in self.products.items():
            problem = product.refund_problem()
            if problem is not None:
                days = [tier.days_before for tier in product.refund]
                raise KeyPathError(f"services.products.{name}.refund", days, problem)
        return self


def check_services(sc: Scenario) -> None:
    """A product priced in a foreign currency has a rate: its own or the [trade] table's."""
    if sc.services is None:
        return
    for name, product in sc.services.products.items():
        path = f"services.products.{name}"
        if product.currency == CNY:
            if product.cny_per_unit is not None:
                raise KeyPathError(
                    f"{path}.cny_per_unit", product.cny_per_unit, "a CNY price needs no rate"
                )
            continue
        trade = sc.trade
        if product.cny_per_unit is None and (trade is None or trade.currency != product.currency):
            raise KeyPathError(
                f"{path}.cny_per_unit",
                ABSENT,
                f"a price in {product.currency} needs cny_per_unit, or a [trade] table "
                f"in {product.currency} whose exchange rate it then uses",
            )
