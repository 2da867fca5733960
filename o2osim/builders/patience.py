"""Customers who wait in person and may give up: their patience rules per queue.

A segment's ``patience`` names the stages where its customers wait in person
(and which of its channels); at those queues a customer may balk or renege
(:class:`~o2osim.facilities.patience.Impatient`). This module turns the plan's
segments into the rules of one queue, with the segments' named streams
(``customers.SEGMENT.balk.STATION``, ``customers.SEGMENT.patience.STATION``). It
must not decide which queues have patience: the family builders and the route
builder ask.
"""

from __future__ import annotations

import itertools

from ..facilities.patience import Impatient, PatienceRules
from ..facilities.station import Station
from .context import Build


def patience_rules(b: Build, station: str, stage: str) -> PatienceRules:
    """Per segment and channel: the patience of customers waiting at ``stage`` in the
    queue of resource ``station`` (None where they do not wait in person there)."""
    names = b.plan.channel_names
    rules: PatienceRules = []
    for seg in b.plan.segments:
        rule = seg.patience
        if rule is None or stage not in rule.at:
            rules.append([None] * len(names))
            continue
        prefix = f"customers.{seg.name}"
        uniform = (
            b.uniform(f"{prefix}.balk.{station}")
            if rule.balk_at is not None and rule.balk_probability < 1
            else itertools.repeat(0.0).__next__
        )
        patience = (
            b.draw(f"{prefix}.patience.{station}", rule.time) if rule.time is not None else None
        )
        waits = (rule.balk_at, rule.balk_probability, uniform, patience)
        rules.append(
            [waits if not rule.channels or name in rule.channels else None for name in names]
        )
    return rules


def impatient(b: Build, station: Station, stage: str) -> Impatient:
    """``station`` as met by customers who wait at ``stage``: one wrapper per station,
    shared by every channel whose route has it."""
    found = b.impatient.get(station.name)
    if found is None:
        found = Impatient(
            station,
            patience_rules(b, station.name, stage),
            b.book.segment,
            b.book.channel,
            gave_up=b.flow.gave_up,
        )
        b.impatient[station.name] = b.add(f"patience at {station.name!r}", found)
    return found
