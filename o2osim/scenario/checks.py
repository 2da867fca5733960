"""Cross-checks of a scenario: what no single table can check on its own.

Each check raises :class:`~o2osim.scenario.errors.KeyPathError` naming the key at
fault; :mod:`o2osim.scenario.messages` phrases it. The checks run in a fixed order,
so the first problem of a file is always the same one. This module must not import
the runtime, nor change the scenario.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..units import format_duration
from .errors import ABSENT, KeyPathError
from .instant import check_instant
from .marketing import check_marketing
from .presale import check_presale
from .sellers import check_sellers
from .services import check_services
from .sites import check_sites
from .stages import (
    AIRPORT_STAGES,
    CENTRE,
    COURIERS,
    HANDOVER_STAGES,
    STAGE_ROWS,
    WAREHOUSE,
)
from .trade import check_export

if TYPE_CHECKING:
    from .channels import Channel
    from .customers import Segment
    from .lastmile import Couriers
    from .root import Scenario
    from .warehouse import Replenishment

#: How messages name the optional tables a stage needs (see the stage table's ``table``).
_TABLE_HEADERS = {"warehouse": "[warehouse]", "stores": "[[stores]]"}


def cross_check(sc: Scenario) -> None:
    """Raise :class:`KeyPathError` for the first inconsistency between tables."""
    _check_names(sc)
    depots = [WAREHOUSE, *sc.depots]
    for i, seg in enumerate(sc.customers.segments):
        _check_segment(sc, f"customers.segments[{i}]", seg, depots)
    for name, fleet in sc.all_fleets().items():
        _check_fleet(COURIERS if name == COURIERS else f"fleets.{name}", fleet, depots)
    store_names = [s.name for s in sc.stores]
    if len(set(store_names)) != len(store_names):
        raise KeyPathError("stores", store_names, "store names must be unique")
    for name, channel in sc.channels.items():
        _check_route_tables(sc, name, channel)
        _check_channel(sc, name, channel, depots)
        _check_legal(name, channel)
    for i, seg in enumerate(sc.customers.segments):
        if seg.store is not None and seg.store not in store_names:
            raise KeyPathError(
                f"customers.segments[{i}].store",
                seg.store,
                f"no store of that name; stores: {', '.join(store_names) or 'none'}",
            )
    if sc.warehouse is not None:
        _check_replenishment(sc.warehouse.replenishment)
        for ch in sc.warehouse.allocation.priority:
            if ch not in sc.channels:
                raise KeyPathError(
                    "warehouse.allocation.priority",
                    ch,
                    f"channel {ch!r} is not defined under [channels]; "
                    f"defined: {', '.join(sc.channels)}",
                )
    _check_flights(sc)
    check_export(sc)
    check_marketing(sc)
    check_services(sc)
    check_sites(sc)
    check_sellers(sc)
    check_presale(sc)
    check_instant(sc)


def _check_names(sc: Scenario) -> None:
    """Names refer to what exists; reserved names are not reused; warm-up fits the run."""
    for channel in sc.economics.delivery_fees:
        if channel not in sc.channels:
            raise KeyPathError(
                f"economics.delivery_fees.{channel}",
                channel,
                f"no such channel; defined: {', '.join(sc.channels)}",
            )
    meta = sc.scenario
    if meta.warmup >= meta.horizon:
        raise KeyPathError(
            "scenario.warmup",
            format_duration(meta.warmup),
            f"must be shorter than scenario.horizon ({format_duration(meta.horizon)})",
        )
    if WAREHOUSE in sc.depots:
        raise KeyPathError(
            f"depots.{WAREHOUSE}",
            ABSENT,
            f"{WAREHOUSE!r} is the bonded warehouse ([warehouse]); name this depot differently",
        )
    if CENTRE in sc.depots:
        raise KeyPathError(
            f"depots.{CENTRE}",
            ABSENT,
            f"{CENTRE!r} is the centre of the city plane (0, 0); name this depot differently",
        )
    if COURIERS in sc.fleets:
        raise KeyPathError(
            f"fleets.{COURIERS}",
            ABSENT,
            f"{COURIERS!r} is the fleet of [couriers]; name this fleet differently",
        )


def _check_segment(sc: Scenario, path: str, seg: Segment, depots: list[str]) -> None:
    for ch in seg.channels:
        if ch not in sc.channels:
            raise KeyPathError(
                f"{path}.channels",
                ch,
                f"channel {ch!r} is not defined under [channels]; "
                f"defined: {', '.join(sc.channels)}",
            )
    _check_behaviour(path, seg)
    _check_stockout(sc, path, seg)
    _check_journeys(sc, f"{path}.journeys", seg)
    if seg.choice != "shares":
        for ch in seg.channels:
            if sc.perceived_promise(ch) is None:
                raise KeyPathError(
                    f"channels.{ch}.offer.promised_time",
                    ABSENT,
                    f"segment {seg.name!r} chooses by {seg.choice}, which needs a "
                    "promised time; this channel promises next_day or slots, so "
                    "set offer.promised_time",
                )
    if seg.around not in depots and seg.around != CENTRE:
        raise KeyPathError(
            f"{path}.around",
            seg.around,
            f"no depot of that name; depots: {', '.join(depots)} (or {CENTRE!r}, the "
            "centre of the city plane)",
        )


def _check_behaviour(path: str, seg: Segment) -> None:
    """Memory needs people to remember; patience and logit name the segment's channels."""
    if seg.population is not None and seg.source == "flights":
        raise KeyPathError(
            f"{path}.population",
            seg.population,
            "applies to poisson segments; travellers are not counted",
        )
    if seg.memory is not None and seg.population is None:
        raise KeyPathError(f"{path}.memory", ABSENT, "needs a finite population (set population)")
    named = {
        "patience.channels": seg.patience.channels if seg.patience else [],
        "logit.constants": list(seg.logit.constants),
    }
    for key, channels in named.items():
        strangers = [c for c in channels if c not in seg.channels]
        if strangers:
            raise KeyPathError(
                f"{path}.{key}", strangers, f"not among this segment's channels {seg.channels}"
            )


def _check_stockout(sc: Scenario, path: str, seg: Segment) -> None:
    """A traveller's order cannot wait for stock: its flight leaves."""
    if seg.stockout is None or seg.stockout.wait == 0:
        return
    flying = [c for c in seg.channels if set(sc.channels[c].route) & set(AIRPORT_STAGES)]
    if flying:
        raise KeyPathError(
            f"{path}.stockout.wait",
            seg.stockout.wait,
            f"channel {flying[0]!r} goes through the airport and cannot "
            "wait for stock; set wait = 0 and give its share to another "
            "response",
        )


def _check_journeys(sc: Scenario, path: str, seg: Segment) -> None:
    """Showroomers order on a channel of theirs that skips the store; webroomers visit
    the store on one of theirs that starts there; travellers have no journeys."""
    journeys = seg.journeys
    if journeys is None:
        return
    if seg.source == "flights":
        raise KeyPathError(
            path, ABSENT, "travellers pre-order for the airport; journeys apply to poisson segments"
        )
    at_store = [
        c for c in seg.channels if c in sc.channels and sc.channels[c].route[0] == "store_visit"
    ]
    elsewhere = [c for c in seg.channels if c in sc.channels and c not in at_store]
    for kind, wanted, allowed, what in (
        ("showroom", journeys.showrooming, elsewhere, "does not start with store_visit"),
        ("webroom", journeys.webrooming, at_store, "starts with store_visit"),
    ):
        channel = getattr(journeys, f"{kind}_channel")
        if channel is None:
            if wanted > 0:
                raise KeyPathError(
                    f"{path}.{kind}_channel",
                    ABSENT,
                    f"{kind}ing {wanted} needs a {kind}_channel: a channel "
                    f"of this segment that {what} "
                    f"({', '.join(allowed) or 'none here'})",
                )
            continue
        if channel not in allowed:
            raise KeyPathError(
                f"{path}.{kind}_channel",
                channel,
                f"must be a channel of this segment that {what}; "
                f"allowed: {', '.join(allowed) or 'none'}",
            )
        if not at_store or not elsewhere:
            raise KeyPathError(
                f"{path}.{kind}_channel",
                channel,
                "a journey needs both a store channel and one that skips "
                f"the store among the segment's channels {seg.channels}",
            )


def _check_route_tables(sc: Scenario, name: str, channel: Channel) -> None:
    """Every stage of the route has the scenario table it needs (the stage table says which)."""
    if channel.route[-1] == "pickup" and sc.airport is None:
        raise KeyPathError(
            f"channels.{name}.route",
            channel.route,
            "ends at the airport pickup but there is no [airport] table",
        )
    # Only optional tables can be missing; customs and direct mail have defaults, and
    # fleets and depots are checked by name in _check_channel.
    missing = {"warehouse": sc.warehouse is None, "stores": not sc.stores}
    for stage in channel.route:
        table = STAGE_ROWS[stage].table
        if table in _TABLE_HEADERS and missing[table]:
            raise KeyPathError(
                f"channels.{name}.route",
                stage,
                f"stage {stage!r} needs a {_TABLE_HEADERS[table]} table in the scenario",
            )


def _check_channel(sc: Scenario, name: str, channel: Channel, depots: list[str]) -> None:
    path = f"channels.{name}"
    promises = [k for k in ("promise", "next_day", "slots") if getattr(channel, k) is not None]
    if len(promises) != 1:
        raise KeyPathError(
            path,
            ABSENT,
            'a channel needs exactly one promise: promise (a lead time such as "1h"), '
            f"next_day or slots (got {', '.join(promises) or 'none'})",
        )
    if ("hold" in channel.route) != (channel.slots is not None):
        raise KeyPathError(
            f"{path}.route",
            channel.route,
            "a channel with slots (presale) needs the stage 'hold' in its "
            "route, and 'hold' needs slots",
        )
    fleets = sc.all_fleets()
    if "deliver" in channel.route and channel.fleet == COURIERS and sc.couriers is None:
        raise KeyPathError(
            f"{path}.route", channel.route, "delivers by rider but there is no [couriers] table"
        )
    if "deliver" in channel.route and channel.fleet not in fleets:
        raise KeyPathError(
            f"{path}.fleet", channel.fleet, f"no fleet of that name; fleets: {', '.join(fleets)}"
        )
    if channel.depot is not None and channel.depot not in depots:
        raise KeyPathError(
            f"{path}.depot", channel.depot, f"no depot of that name; depots: {', '.join(depots)}"
        )
    depot = sc.channel_depot(name)
    if "deliver" in channel.route and depot != fleets[channel.fleet].depot:
        raise KeyPathError(
            f"{path}.depot",
            depot,
            f"fleet {channel.fleet!r} is based at "
            f"{fleets[channel.fleet].depot!r}; a channel delivers from "
            "its fleet's depot",
        )
    if "front_pick" in channel.route and depot == WAREHOUSE:
        raise KeyPathError(
            f"{path}.route",
            channel.route,
            "'front_pick' picks at a front warehouse or store under "
            "[depots], but this channel's depot is the bonded warehouse "
            "(use 'pick')",
        )
    central = [s for s in ("pick", "pack") if s in channel.route]
    if central and depot != WAREHOUSE:
        raise KeyPathError(
            f"{path}.route",
            channel.route,
            f"{central[0]!r} happens at the bonded warehouse, but this "
            f"channel is fulfilled at depot {depot!r} (use 'front_pick')",
        )


def _check_legal(name: str, channel: Channel) -> None:
    """Bonded goods leave the zone for a domestic customer only after customs clears them."""
    route = channel.route
    if channel.goods != "bonded" or "reserve" not in route or "customs" in route:
        return
    if route[-1] not in HANDOVER_STAGES:
        return  # a stripped-down route ending in the warehouse hands nothing over
    fixed = [*route[: route.index("reserve") + 1], "customs", *route[route.index("reserve") + 1 :]]
    raise KeyPathError(
        f"channels.{name}.route",
        route,
        f"takes bonded goods from the stock pool (reserve) to a domestic customer "
        f"({route[-1]}) without clearing customs; add the stage: route = {fixed}, or set "
        'goods = "duty_paid" if they were imported under general trade',
    )


def _check_flights(sc: Scenario) -> None:
    flying = [i for i, s in enumerate(sc.customers.segments) if s.source == "flights"]
    has_flights = sc.airport is not None and sc.airport.flights is not None
    if len(flying) > 1:
        raise KeyPathError(
            f"customers.segments[{flying[1]}].source",
            "flights",
            "only one segment can take its orders from the flights",
        )
    if flying and not has_flights:
        raise KeyPathError(
            f"customers.segments[{flying[0]}].source",
            "flights",
            "needs a flight schedule under [airport.flights]",
        )
    if has_flights and not flying:
        raise KeyPathError(
            "airport.flights", "...", 'no segment has source = "flights", so no traveller orders'
        )
    for i in flying:
        for ch in sc.customers.segments[i].channels:
            if sc.channels[ch].route[-1] != "pickup":
                raise KeyPathError(
                    f"customers.segments[{i}].channels",
                    ch,
                    f"travellers collect at the airport: channel {ch!r} must end at pickup",
                )


def _check_fleet(path: str, fleet: Couriers, depots: list[str]) -> None:
    if fleet.depot not in depots:
        raise KeyPathError(
            f"{path}.depot", fleet.depot, f"no depot of that name; depots: {', '.join(depots)}"
        )
    if fleet.dispatch == "fcfs" and fleet.capacity > 1:
        raise KeyPathError(
            f"{path}.capacity",
            fleet.capacity,
            "dispatch 'fcfs' sends one order per trip; set capacity = 1 or "
            "choose a batching policy ('batch', 'nearest_neighbour')",
        )
    if fleet.shifts is not None:
        on_shifts = sum(shift.riders for shift in fleet.shifts)
        if on_shifts != fleet.riders:
            raise KeyPathError(
                f"{path}.shifts",
                ABSENT,
                f"the shifts have {on_shifts} riders in all, but "
                f"{path}.riders = {fleet.riders}; every courier works one shift",
            )


def _check_replenishment(rep: Replenishment) -> None:
    """Class shares fit in the catalogue; every mode a policy names is defined."""
    where = "warehouse.replenishment"
    total = 0.0
    for i, cls in enumerate(rep.classes):
        total += cls.share
        if total > 1 + 1e-9:
            raise KeyPathError(
                f"{where}.classes[{i}].share",
                cls.share,
                f"the shares of the classes add up to {total:g}, more than 1",
            )
    for path, spec in [(where, rep)] + [
        (f"{where}.classes[{i}]", c) for i, c in enumerate(rep.classes)
    ]:
        if spec.mode is not None and spec.mode not in rep.modes:
            raise KeyPathError(
                f"{path}.mode",
                spec.mode,
                f"not defined under {where}.modes (defined: {', '.join(rep.modes) or 'none'})",
            )
