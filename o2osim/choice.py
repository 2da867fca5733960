"""Channel choice: which of the channels a segment may use a customer picks for an order.

A choice policy is a plain function with one signature, chosen by name in the
scenario (``choice = "logit"`` in a segment)::

    policy(taste, options) -> probabilities

- ``taste``: a :class:`Taste`, the segment's fixed shares and logit coefficients;
- ``options``: one :data:`Option` per channel the segment may use, in the order of
  the segment's ``channels``, as this customer sees it for this basket;
- ``probabilities``: one non-negative weight per option (they need not sum to 1).

``shares`` returns the segment's configured ``channel_shares`` whatever the
options (the behaviour of scenarios that do not opt in); ``logit`` is the
multinomial logit on the options' attributes (McFadden 1974):

    V_j = constant_j + per_cny * price_j + per_promised_hour * promised_j
          + per_travel_km * travel_j + per_trust * trust_j,
    P_j = exp(V_j) / sum_k exp(V_k).

A new policy is one function decorated with :func:`choice_policy`. Policies are
pure: no randomness (the caller draws the channel from the probabilities with
its own stream), no SimPy, no facilities.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .policies import registrar

#: One channel as a customer sees it: (price CNY = goods + tax + delivery fee,
#: promised time hours, round-trip km the customer travels, trust 0-1).
Option = tuple[float, float, float, float]


@dataclass(frozen=True)
class Taste:
    """A segment's choice parameters, aligned with its channel list.

    Utility units: ``per_cny`` per CNY, ``per_promised_hour`` per hour of promised
    time, ``per_travel_km`` per km the customer travels (there and back), ``per_trust``
    per unit of trust (0-1).
    """

    shares: tuple[float, ...]
    constants: tuple[float, ...]
    per_cny: float = 0.0
    per_promised_hour: float = 0.0
    per_travel_km: float = 0.0
    per_trust: float = 0.0


Policy = Callable[[Taste, Sequence[Option]], list[float]]
CHOICE_POLICIES: dict[str, Policy] = {}


#: Decorator: ``@choice_policy("name")`` registers a policy function.
choice_policy = registrar(CHOICE_POLICIES, "choice")


@choice_policy("shares")
def fixed_shares(taste: Taste, options: Sequence[Option]) -> list[float]:
    """The configured shares, whatever the channels offer."""
    return list(taste.shares)


def utilities(taste: Taste, options: Sequence[Option]) -> list[float]:
    """The logit's systematic utilities V_j (dimensionless)."""
    return [
        constant
        + taste.per_cny * price
        + taste.per_promised_hour * hours
        + taste.per_travel_km * km
        + taste.per_trust * trust
        for constant, (price, hours, km, trust) in zip(taste.constants, options, strict=True)
    ]


@choice_policy("logit")
def logit(taste: Taste, options: Sequence[Option]) -> list[float]:
    """Multinomial logit probabilities (the module docstring has the formula)."""
    values = utilities(taste, options)
    top = max(values)  # shifting by the maximum keeps exp() from overflowing
    weights = [math.exp(v - top) for v in values]
    total = sum(weights)
    return [w / total for w in weights]


@dataclass(frozen=True)
class Offer:
    """What a channel offers a customer, apart from the basket (set by the demand builder).

    ``fee_cny`` is charged below ``free_above_cny`` (None: never waived);
    ``depot`` is the channel's depot, None for the segment's own depot (then the
    distance is the home distance); ``travels`` is False when the goods come to
    the customer; beyond ``max_km`` road km from the depot the channel is not
    offered (the app hides it), nor beyond a delivery ``radius`` (centre x, y km and
    straight-line radius km: :mod:`o2osim.facilities.radius`).
    """

    tax_rate: float
    fee_cny: float
    free_above_cny: float | None
    promised_hours: float
    travels: bool
    depot: tuple[float, float] | None
    trust: float
    max_km: float | None = None
    radius: tuple[float, float, float] | None = None

    def serves(self, x: float, y: float, road_km: float) -> bool:
        """Whether the channel is offered at home (``x``, ``y``), ``road_km`` from its depot."""
        if self.max_km is not None and road_km > self.max_km:
            return False
        if self.radius is None:
            return True
        cx, cy, radius = self.radius
        return math.hypot(x - cx, y - cy) <= radius


class Chooser:
    """Turns a basket value and a home into choice probabilities for one segment."""

    def __init__(
        self,
        policy: Policy,
        taste: Taste,
        offers: Sequence[Offer],
        road_km: Callable[[tuple[float, float], tuple[float, float]], float],
    ) -> None:
        self.policy = policy
        self.taste = taste
        self.offers = tuple(offers)
        self.road_km = road_km
        self.limited = any(o.max_km is not None or o.radius is not None for o in self.offers)

    def options(
        self, value: float, x: float, y: float, home_km: float, trust: Sequence[float] | None = None
    ) -> list[Option]:
        """Each channel's :data:`Option` for a basket worth ``value`` CNY before tax and a
        customer at (``x``, ``y``) km, ``home_km`` road km from the segment's depot;
        ``trust`` is this customer's own trust per channel (None: the offers')."""
        found = []
        for k, offer in enumerate(self.offers):
            fee = offer.fee_cny
            if offer.free_above_cny is not None and value >= offer.free_above_cny:
                fee = 0.0
            km = 0.0
            if offer.travels:
                km = 2.0 * self.distance(offer, x, y, home_km)
            found.append(
                (
                    value * (1.0 + offer.tax_rate) + fee,
                    offer.promised_hours,
                    km,
                    offer.trust if trust is None else trust[k],
                )
            )
        return found

    def distance(self, offer: Offer, x: float, y: float, home_km: float) -> float:
        """Road km from the home to the channel's depot."""
        return home_km if offer.depot is None else self.road_km((x, y), offer.depot)

    def probabilities(
        self, value: float, x: float, y: float, home_km: float, trust: Sequence[float] | None = None
    ) -> list[float]:
        """Choice probabilities over the segment's channels, summing to 1.

        Channels not offered at this home get 0 and the others are renormalised: for
        the logit that is the logit over the offered set. If none is offered the
        weights stand (the order is then refused at the channel's entry).
        """
        weights = self.policy(self.taste, self.options(value, x, y, home_km, trust))
        if self.limited:
            offered = [
                w if o.serves(x, y, self.distance(o, x, y, home_km)) else 0.0
                for w, o in zip(weights, self.offers, strict=True)
            ]
            if sum(offered) > 0:
                weights = offered
        total = sum(weights)
        return [w / total for w in weights]
