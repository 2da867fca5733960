"""Airport builder: flights, pre-orders and the stages ``linehaul``, ``stage``, ``pickup``.

The airport (:class:`~o2osim.facilities.airport.Airport`) schedules its truck runs,
counter staffing and flights now, so it is built where the build order says. Its
travellers' orders are built by the flying segment's order factory (made before
it, by the demand builder) and placed through the order flow; a passenger of a
segment that waits in person at ``pickup`` may give up in the counter queue.
Random streams: ``airport.*``. This module must not decide an order's fate.
"""

from __future__ import annotations

from ..facilities.airport import Airport
from .context import Build
from .patience import patience_rules
from .registry import register_shared


def _no_travellers(time: float) -> int:
    raise RuntimeError("the airport has no flights, so no traveller orders")


def build_airport(b: Build) -> None:
    """The airport of ``[airport]`` (none without one)."""
    sc, flow = b.scenario, b.flow
    if sc.airport is None:
        return
    flying = [f for f, s in zip(b.factories, b.plan.segments, strict=True) if s.flying]
    build_order = (
        flying[-1].build if flying else _no_travellers if sc.airport.flights is None else None
    )
    waits = b.plan.waits_at("pickup")
    airport = Airport(
        b.env,
        sc.airport,
        b.book,
        b.streams,
        sc.scenario.horizon,
        sc.scenario.start.weekday(),
        done=flow.advance,
        missed=flow.missed,
        build_order=build_order,  # type: ignore[arg-type]  # None: the check names it
        place=flow.place,
        pickup_patience=patience_rules(b, "pickup", "pickup") if waits else None,
        gave_up=flow.gave_up,
    )
    b.airport = b.add("airport", airport)
    b.stages.update(
        linehaul=b.add("stage 'linehaul'", airport.linehaul),
        stage=b.add("stage 'stage'", airport.staging),
        pickup=b.add("stage 'pickup'", airport.pickup),
    )
    if airport.pickup.impatient is not None:
        b.impatient["pickup"] = b.add("patience at 'pickup'", airport.pickup.impatient)


register_shared("linehaul", "stage", "pickup")
