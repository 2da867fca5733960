"""Scenario schema of marketing that moves demand: acquisition campaigns, repeat
purchase, and membership and co-branding programmes that raise trust.

The ``[marketing]`` table (docs/marketing.md; Zhang et al. 2025):

- a **campaign** spends ``spend_cny_per_day`` to acquire customers of one segment who
  land on one of its channels. It adds ``lift * (1 - exp(-spend / saturation))`` times
  the segment's own arrival rate (same hourly, weekday and calendar shape): a concave
  response with diminishing returns whose most is ``lift``. An acquired customer buys
  again with ``repeat_probability`` after a ``repeat_after`` gap, and again, ... (a
  geometric number of purchases, mean ``1 / (1 - p)``);
- a **programme** (membership, co-branding) costs ``cost_cny_per_day`` and raises the
  trust its segments' customers put in its channels (``trust_gain``, added in the logit,
  capped at 1) and moves acquired customers' repeat probability a share
  ``repeat_gain`` of the way to 1.

The money is a period cost (``acquisition``, ``programmes``) only when the table is
there. Pure data and pure arithmetic on it: this module must not import the runtime.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from ..limits import MAX_NUMBER
from .errors import KeyPathError
from .types import Amount, Duration, Money, Name, Probability, Strict, TimeDist, as_written, at_most

if TYPE_CHECKING:
    from .root import Scenario

#: A probability below 1: with p = 1 a customer would buy for ever (no finite LTV).
RepeatProbability = Annotated[float, Field(ge=0.0, lt=1.0)]
Lift = Annotated[float, Field(ge=0.0), at_most(100.0, "times the segment's own arrivals")]


class Campaign(Strict):
    """Acquisition spend on one segment, landing its new customers on one channel."""

    segment: Name = Field(description="the segment whose arrivals the spend raises")
    channel: Name = Field(description="the segment's channel acquired customers buy on")
    spend_cny_per_day: Money = Field(description="acquisition spend, CNY per day")
    lift: Lift = Field(
        description="a: the most the campaign can add, as a multiple of the segment's own "
        "arrivals (the response saturates at 1 + a)"
    )
    saturation_cny_per_day: Amount = Field(
        description="s: the spend at which the lift is 1 - 1/e (63%) of its most, CNY per day"
    )
    repeat_probability: RepeatProbability = Field(
        default=0.3,
        description="p: chance that an acquired customer buys again after each purchase",
    )
    repeat_after: TimeDist = Field(
        default_factory=lambda: {"dist": "exponential", "mean": "30d"},
        description="gap from one purchase of an acquired customer to the next, minutes",
    )

    @property
    def label(self) -> str:
        """The campaign's name in the KPI table: ``segment.channel``."""
        return f"{self.segment}.{self.channel}"

    def lift_share(self) -> float:
        """Arrivals the spend adds, as a share of the segment's own: a(1 - exp(-spend/s))."""
        return response_lift(self.spend_cny_per_day, self.lift, self.saturation_cny_per_day)


def response_lift(spend: float, lift: float, saturation: float) -> float:
    """The concave response ``lift * (1 - exp(-spend / saturation))`` (spend and
    saturation in CNY per day; 0 at no spend, ``lift`` at unlimited spend)."""
    return lift * -math.expm1(-spend / saturation)


class Programme(Strict):
    """Membership or co-branding: a daily cost for more trust and more repeat buying."""

    name: Name
    kind: Literal["membership", "co_branding"] = "membership"
    segments: list[Name] = Field(min_length=1, description="segments the programme reaches")
    channels: list[Name] = Field(
        default_factory=list, description="channels whose trust it raises; none: all of them"
    )
    cost_cny_per_day: Money = Field(description="the programme's cost, CNY per day")
    trust_gain: Probability = Field(
        default=0.0,
        description="added to the trust (0-1) each channel offers the segments' customers "
        "in the logit, capped at 1 (segments with choice = logit)",
    )
    repeat_gain: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        default=0.0,
        description="moves an acquired customer's repeat probability this share of the way to 1",
    )

    def covers(self, segment: str, channel: str) -> bool:
        """Whether the programme reaches ``segment``'s customers on ``channel``."""
        return segment in self.segments and (not self.channels or channel in self.channels)


class Marketing(Strict):
    """The ``[marketing]`` table: campaigns, programmes and how customer value is counted."""

    campaigns: list[Campaign] = Field(default_factory=list)
    programmes: list[Programme] = Field(default_factory=list)
    discount_rate: Annotated[float, Field(ge=0.0), at_most(MAX_NUMBER, "a rate")] = Field(
        default=0.10,
        description="annual discount rate of a customer's future margins (0.10: 10% a year)",
    )
    ltv_window: Duration = Field(
        default=as_written("365d"),
        description="a customer's lifetime value counts purchases within this span of the "
        "first one; customers acquired later than horizon - ltv_window are not in the "
        "LTV cohort, minutes",
    )

    @model_validator(mode="after")
    def _unique(self) -> Marketing:
        labels = [c.label for c in self.campaigns]
        twice = sorted({x for x in labels if labels.count(x) > 1})
        if twice:
            raise ValueError(f"two campaigns for the same segment and channel: {', '.join(twice)}")
        names = [p.name for p in self.programmes]
        twice = sorted({x for x in names if names.count(x) > 1})
        if twice:
            raise ValueError(f"programme names must be unique; repeated: {', '.join(twice)}")
        if self.ltv_window <= 0:
            raise ValueError("ltv_window must be longer than 0s")
        return self

    def repeat_probability(self, campaign: Campaign) -> float:
        """The campaign's repeat probability raised by the programmes that cover it."""
        stay = 1.0 - campaign.repeat_probability
        for programme in self.programmes:
            if programme.covers(campaign.segment, campaign.channel):
                stay *= 1.0 - programme.repeat_gain
        return 1.0 - stay

    def trust_gain(self, segment: str, channel: str) -> float:
        """The trust the programmes add to ``channel`` for ``segment``'s customers."""
        return sum(p.trust_gain for p in self.programmes if p.covers(segment, channel))

    def acquisition_cny_per_day(self) -> float:
        """Every campaign's spend, CNY per day."""
        return sum(c.spend_cny_per_day for c in self.campaigns)

    def programmes_cny_per_day(self) -> float:
        """Every programme's cost, CNY per day."""
        return sum(p.cost_cny_per_day for p in self.programmes)


def check_marketing(sc: Scenario) -> None:
    """Campaigns and programmes name segments and channels that exist and fit."""
    marketing = sc.marketing
    if marketing is None:
        return
    segments = {s.name: s for s in sc.customers.segments}
    for i, campaign in enumerate(marketing.campaigns):
        key = f"marketing.campaigns[{i}]"
        seg = segments.get(campaign.segment)
        if seg is None:
            raise KeyPathError(
                f"{key}.segment",
                campaign.segment,
                f"no such segment; segments: {', '.join(segments)}",
            )
        if seg.source != "poisson":
            raise KeyPathError(
                f"{key}.segment", campaign.segment, "campaigns raise Poisson arrivals, not flights"
            )
        if seg.memory is not None:
            raise KeyPathError(
                f"{key}.segment",
                campaign.segment,
                "a segment with memory numbers its own customers; campaigns acquire "
                "customers of a segment without memory",
            )
        if campaign.channel not in seg.channels:
            raise KeyPathError(
                f"{key}.channel",
                campaign.channel,
                f"not a channel of segment {seg.name!r}; its channels: {', '.join(seg.channels)}",
            )
    for i, programme in enumerate(marketing.programmes):
        _check_programme(sc, f"marketing.programmes[{i}]", programme)


def _check_programme(sc: Scenario, key: str, programme: Programme) -> None:
    segments = {s.name: s for s in sc.customers.segments}
    for name in programme.segments:
        seg = segments.get(name)
        if seg is None:
            raise KeyPathError(
                f"{key}.segments", name, f"no such segment; segments: {', '.join(segments)}"
            )
        if programme.trust_gain > 0 and seg.choice == "shares":
            raise KeyPathError(
                f"{key}.trust_gain",
                programme.trust_gain,
                f"segment {name!r} chooses by fixed shares, which trust does not move; "
                'use choice = "logit" or trust_gain = 0',
            )
    reached = {c for name in programme.segments for c in segments[name].channels}
    for channel in programme.channels:
        if channel not in reached:
            raise KeyPathError(
                f"{key}.channels",
                channel,
                f"not a channel of its segments; their channels: {', '.join(sorted(reached))}",
            )


def first_acquired_id(sc: Scenario) -> int:
    """The first id of an acquired customer: after every finite population's ids."""
    return sum(seg.population or 0 for seg in sc.customers.segments)


def marketed_trust(marketing: Marketing | None, segment: str, channel: str, trust: float) -> float:
    """The trust (0-1) ``segment``'s customers put in ``channel``: its own ``trust`` plus
    what the programmes add, capped at 1 (``trust`` itself without ``[marketing]``)."""
    if marketing is None:
        return trust
    return min(1.0, trust + marketing.trust_gain(segment, channel))
