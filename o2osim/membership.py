"""A warehouse club's paid membership in the money: members, member prices, annual fees.

``[membership]`` (:class:`o2osim.scenario.presale.Membership`): a share of the customers
of some segments are members. Customers of a segment with a finite population are
numbered from the segment's first id (segments with a population take consecutive id
ranges, in the scenario's order, as the builders number them); the first
``floor(member_share * population)`` of a member segment are its members. Members pay
``member_discount`` less than the retail price; every member pays ``fee_cny_per_year``,
accrued per day: over the counted span (warm-up to horizon, ``days``) the fee revenue
is ``fee * members * days / 365``, in cents, spread over the completed orders like a
period cost. Li (2025, §3.2) names the warehouse clubs' membership system; the numbers
are the scenario's.

Arithmetic on the scenario and the orders table only: this module must not run the
model. Without ``[membership]`` nothing here changes the money.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .scenario import Scenario

#: Days in the year over which an annual fee accrues.
YEAR_DAYS = 365.0


def member_ranges(scenario: Scenario) -> dict[str, tuple[int, int]]:
    """Per member segment: (first customer id, first id that is not a member)."""
    club = scenario.membership
    if club is None:
        return {}
    ranges: dict[str, tuple[int, int]] = {}
    first = 0
    for seg in scenario.customers.segments:
        if not seg.population:
            continue
        if seg.name in club.segments:
            ranges[seg.name] = (first, first + math.floor(club.member_share * seg.population))
        first += seg.population
    return ranges


def members(scenario: Scenario) -> int:
    """Paying members: every member segment's members."""
    return sum(end - first for first, end in member_ranges(scenario).values())


def member_orders(scenario: Scenario, orders: pd.DataFrame) -> np.ndarray:
    """Which rows of ``orders`` were placed by a member (bool per row)."""
    mask = np.zeros(len(orders), dtype=bool)
    segment = orders["segment"].astype(str).to_numpy()
    customer = orders["customer"].to_numpy()
    for name, (first, end) in member_ranges(scenario).items():
        mask |= (segment == name) & (customer >= first) & (customer < end)
    return mask


def member_prices(scenario: Scenario, orders: pd.DataFrame, value_cents: np.ndarray) -> np.ndarray:
    """Each order's goods value in cents at member prices (unchanged without membership)."""
    club = scenario.membership
    if club is None or club.member_discount == 0:
        return value_cents
    member = member_orders(scenario, orders)
    discounted = np.rint(value_cents * (1.0 - club.member_discount)).astype(np.int64)
    return np.where(member, discounted, value_cents)


def fee_cents(scenario: Scenario, days: float) -> int:
    """The membership fees accrued over ``days`` days, cents."""
    club = scenario.membership
    if club is None:
        return 0
    return round(club.fee_cny_per_year * members(scenario) * days / YEAR_DAYS * 100.0)
