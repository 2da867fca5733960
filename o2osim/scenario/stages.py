"""The stage table: one row per route stage, and every per-stage list derived from it.

A channel's route is a sequence of stages; this module says, per stage, where it sits
in the route grammar, whether it hands the goods over (and how the order then ends),
which scenario table it needs, how its queueing resource is named, which order-table
timestamps it writes, and which family of builders makes it. The lists the rest of
o2osim uses (:data:`STAGES`, :data:`TERMINAL_STAGES`, :data:`STAGE_END`,
:data:`STAMPS`, :data:`WAIT_STAMPS` ...) are computed from the rows, so a new stage is
one row here plus one builder.

This module is data only: it must not import the runtime (facilities, World, SimPy)
or the scenario schema, so both can import it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

#: The depot name of the bonded warehouse; other depots are named under ``[depots]``.
WAREHOUSE = "warehouse"
#: The centre (0, 0) of the city plane: a segment may live ``around`` it instead of a depot
#: (a market's homes, whatever the layout's depots). Not a depot: nothing is fulfilled there.
CENTRE = "centre"
#: The fleet name of the ``[couriers]`` table; other fleets are named under ``[fleets]``.
COURIERS = "couriers"

#: How a stage's queueing resource is named (see :meth:`Stage.resource_name`).
ResourceRule = Literal["stage", "depot", "fleet", "stores"]
#: The family of builders that makes a stage's facility.
Family = Literal["stores", "warehouse", "customs", "direct_mail", "last_mile", "airport"]
Outcome = Literal["delivered", "collected"]


@dataclass(frozen=True, kw_only=True)
class Stage:
    """One stage of the route grammar (one row of the stage table).

    ``queued``/``start``/``end`` are the order-table stamps of joining its queue,
    starting service and leaving it (None: the stage keeps no such stamp);
    ``stamps`` are all the columns it writes, in the order it writes them. ``manual``
    are the (queued, start) stamps of a manual document desk, a second resource
    ``<resource>_manual`` when documents can mismatch. ``outcome`` is set on the
    stages that hand the goods over: how an order ends when this stage is last.
    """

    name: str
    #: The family of builders that makes its facility.
    family: Family
    #: The Scenario field the stage needs (None: only the channel's own keys).
    table: str | None
    #: How its queueing resource is named (None: it has no queue of its own).
    resource: ResourceRule | None
    queued: str | None = None
    start: str | None = None
    end: str
    manual: tuple[str, str] | None = None
    stamps: tuple[str, ...]
    outcome: Outcome | None = None
    #: Position in the route grammar: a route lists its stages in increasing order.
    order: int = -1

    @property
    def terminal(self) -> bool:
        """Whether the stage hands the goods to the customer (a route's last stage)."""
        return self.outcome is not None

    def resource_name(self, depot: str, fleet: str) -> str | None:
        """The main resource serving this stage for a channel fulfilled at ``depot`` and
        delivered by ``fleet`` (None: no single queue; a store visit has one per store)."""
        if self.resource == "stage":
            return self.name
        if self.resource == "depot":
            return depot_resource(depot)
        if self.resource == "fleet":
            return fleet_resource(fleet)
        return None


def fleet_resource(fleet: str) -> str:
    """The resource name of a fleet: ``deliver`` for ``couriers``, else ``deliver_FLEET``."""
    return "deliver" if fleet == COURIERS else f"deliver_{fleet}"


def depot_resource(depot: str) -> str:
    """The resource name of a depot's pickers: ``pick_DEPOT``."""
    return f"pick_{depot}"


_CUSTOMS = (
    "declared",
    "manual_queued",
    "manual_start",
    "manual_end",
    "clearance_queued",
    "clearance_start",
    "clearance_end",
    "inspected",
    "cleared",
)

# Rows in route order: a route is any subsequence ending in at most one terminal stage,
# e.g. a walk-in buying for take-away is store_visit -> reserve -> customs -> pick ->
# collect, a direct-mail parcel seller_ship -> port_customs -> courier, an airport
# pre-order reserve -> customs -> pick -> pack -> linehaul -> stage -> pickup.
_ROWS = (
    Stage(  # experience zone of a front store: browse, try, scan and pay
        name="store_visit", family="stores", table="stores", resource="stores",
        queued="door_queued", start="entered", end="left_store",
        stamps=("door_queued", "entered", "left_store"),
    ),
    Stage(  # take the units from the one bonded stock pool
        name="reserve", family="warehouse", table="warehouse", resource=None, end="reserved",
        stamps=("stocked_out", "substituted", "backordered", "oversold", "reserved"),
    ),
    Stage(  # mode 1210 clearance out of the bonded warehouse
        name="customs", family="customs", table="customs", resource="stage",
        queued="clearance_queued", start="clearance_start", end="cleared",
        manual=("manual_queued", "manual_start"), stamps=_CUSTOMS,
    ),
    Stage(  # pickers and/or AGVs at the bonded warehouse, time per line
        name="pick", family="warehouse", table="warehouse", resource="stage",
        queued="pick_queued", start="pick_start", end="picked",
        stamps=("pick_queued", "pick_start", "picked"),
    ),
    Stage(
        name="pack", family="warehouse", table="warehouse", resource="stage",
        queued="pack_queued", start="pack_start", end="packed",
        stamps=("pack_queued", "pack_start", "packed"),
    ),
    Stage(  # presale: a slot's orders wait, then go on to the depot's pickers as one batch
        name="presale_batch", family="last_mile", table=None, resource=None, end="pick_queued",
        stamps=("pick_queued",),
    ),
    Stage(  # pickers at the channel's own depot (front warehouse or store); pick's stamps
        name="front_pick", family="last_mile", table="depots", resource="depot",
        queued="pick_queued", start="pick_start", end="picked",
        stamps=("pick_queued", "pick_start", "picked"),
    ),
    Stage(  # a store's tote from the picker to the packing point; ready for dispatch there
        name="tote", family="last_mile", table=None, resource=None, end="dispatch_queued",
        stamps=("dispatch_queued",),
    ),
    Stage(  # a store's packing point after the totes (packers; pack's stamps, formats.md)
        name="pack_point", family="last_mile", table=None, resource="stage",
        queued="pack_queued", start="pack_start", end="packed",
        stamps=("pack_queued", "pack_start", "packed"),
    ),
    Stage(  # sorter with a throughput (items per hour)
        name="sort", family="warehouse", table="warehouse", resource="stage",
        queued="sort_queued", start="sort_start", end="sorted",
        stamps=("sort_queued", "sort_start", "sorted"),
    ),
    Stage(  # direct mail (9610): overseas seller's parcel to the port
        name="seller_ship", family="direct_mail", table="direct_mail", resource=None,
        end="port_arrived", stamps=("port_arrived",),
    ),
    Stage(  # direct mail: clearance at the port
        name="port_customs", family="direct_mail", table="direct_mail", resource="stage",
        queued="port_clearance_queued", start="port_clearance_start", end="port_cleared",
        manual=("port_manual_queued", "port_manual_start"),
        stamps=tuple(f"port_{s}" for s in _CUSTOMS),
    ),
    Stage(  # presale: held until its slot (slot_start is stamped when the slot is chosen)
        name="hold", family="last_mile", table=None, resource=None, end="dispatch_queued",
        stamps=("slot_start", "dispatch_queued"),
    ),
    Stage(  # take-away at the store's counter
        name="collect", family="stores", table="stores", resource=None, end="collected",
        stamps=("collected",), outcome="collected",
    ),
    Stage(  # a courier fleet from the channel's depot
        name="deliver", family="last_mile", table="couriers", resource="fleet",
        queued="dispatch_queued", start="dispatched", end="delivered", outcome="delivered",
        stamps=("dispatch_queued", "dispatched", "leg_start", "arrived", "delivered",
                "rider_back"),
    ),
    Stage(  # dispatch waves with cut-offs, next-day regional delivery
        name="regional", family="warehouse", table="warehouse", resource=None,
        end="delivered", stamps=("wave_departed", "delivered"), outcome="delivered",
    ),
    Stage(  # direct mail: national courier
        name="courier", family="direct_mail", table="direct_mail", resource=None,
        end="delivered", stamps=("delivered",), outcome="delivered",
    ),
    Stage(  # airport: scheduled truck runs to the airport (departure: the flight's)
        name="linehaul", family="airport", table="airport", resource=None,
        queued="linehaul_queued", start="linehaul_departed", end="airport_arrived",
        stamps=("departure", "linehaul_queued", "linehaul_departed", "airport_arrived"),
    ),
    Stage(  # airport: shelved at the counter
        name="stage", family="airport", table="airport", resource=None, end="staged",
        stamps=("staged",),
    ),
    Stage(  # airport: face-ID check and hand-over
        name="pickup", family="airport", table="airport", resource="stage",
        queued="counter_queued", start="counter_start", end="collected", outcome="collected",
        stamps=("at_counter", "counter_queued", "counter_start", "id_checked", "counter_left",
                "collected"),
    ),
)  # fmt: skip

#: The stage table, in route order.
STAGE_TABLE: tuple[Stage, ...] = tuple(replace(row, order=i) for i, row in enumerate(_ROWS))
#: Each stage's row by name.
STAGE_ROWS: dict[str, Stage] = {row.name: row for row in STAGE_TABLE}

#: Stages a channel's route may use, in the order an order meets them.
STAGES: tuple[str, ...] = tuple(row.name for row in STAGE_TABLE)
#: Stages that hand the goods to the customer; a route has at most one, and last.
TERMINAL_STAGES: tuple[str, ...] = tuple(row.name for row in STAGE_TABLE if row.terminal)
#: The airport's stages; a route using any of them ends at ``pickup``.
AIRPORT_STAGES: tuple[str, ...] = tuple(r.name for r in STAGE_TABLE if r.family == "airport")
#: Stages that need the ``[warehouse]`` table.
WAREHOUSE_STAGES: tuple[str, ...] = tuple(
    row.name for row in STAGE_TABLE if row.table == "warehouse"
)
#: Stages at which the goods reach the customer when they end a route: the terminal ones,
#: and ``front_pick`` (a store pick-up at the counter).
HANDOVER_STAGES: tuple[str, ...] = (*TERMINAL_STAGES, "front_pick")
#: Final stages whose orders end ``delivered``; every other route ends ``collected``.
DELIVERING: tuple[str, ...] = tuple(row.name for row in STAGE_TABLE if row.outcome == "delivered")
#: The stamp each stage sets when an order leaves it.
STAGE_END: dict[str, str] = {row.name: row.end for row in STAGE_TABLE}


def _wait_stamps() -> dict[str, tuple[str, str]]:
    waits: dict[str, tuple[str, str]] = {}
    for row in STAGE_TABLE:
        if row.resource is None:
            continue
        if row.queued is not None and row.start is not None:
            waits[row.name] = (row.queued, row.start)
        if row.manual is not None:
            waits[f"{row.name}_manual"] = row.manual
    return waits


#: Timestamps that bound the wait in queue at a resource, by resource name or else by its
#: stage: (joined the queue, service began). A store's mirrors and staff keep no stamps.
WAIT_STAMPS: dict[str, tuple[str, str]] = _wait_stamps()

#: Order-table stamps no stage writes: when a customer sent the goods back.
ORDER_STAMPS: tuple[str, ...] = ("returned",)
#: Stamp columns of the airport's stages, in route order (its facility writes them).
AIRPORT_STAMPS: list[str] = list(
    dict.fromkeys(s for row in STAGE_TABLE if row.family == "airport" for s in row.stamps)
)
# The stamp columns of orders.parquet in file order. Spelled out rather than derived
# because the order is a file format: it predates the table (the airport's columns came
# last) and a few columns sit apart from their stage's (collected before slot_start,
# wave_departed inside the courier stamps). A new stage's stamps are appended after these.
_FILE_ORDER = (
    "door_queued", "entered", "left_store",
    "stocked_out", "substituted", "backordered", "oversold", "reserved",
    *_CUSTOMS,
    "pick_queued", "pick_start", "picked",
    "pack_queued", "pack_start", "packed",
    "sort_queued", "sort_start", "sorted",
    "port_arrived",
    *(f"port_{s}" for s in _CUSTOMS),
    "collected",
    "slot_start",
    "dispatch_queued", "dispatched", "leg_start", "arrived", "wave_departed", "delivered",
    "rider_back",
    "returned",
    *AIRPORT_STAMPS,
)  # fmt: skip
_WRITTEN = dict.fromkeys(s for row in STAGE_TABLE for s in (*row.stamps, *(row.manual or ())))
#: Timestamps in the order table, in column order. ``pick_*`` are the picking stamps at
#: the bonded warehouse or at the channel's depot (a route has one or the other);
#: ``slot_start`` is the start of a presale order's chosen delivery slot.
STAMPS: list[str] = list(dict.fromkeys([*_FILE_ORDER, *_WRITTEN]))


def _check_table() -> None:
    """Import-time guard: the table and the file layout describe the same columns."""
    stray = set(_FILE_ORDER) - set(_WRITTEN) - set(ORDER_STAMPS)
    if stray:
        raise AssertionError(f"order-table columns no stage writes: {sorted(stray)}")
    for row in STAGE_TABLE:
        named = [s for s in (row.queued, row.start, row.end, *(row.manual or ())) if s]
        if not set(named) <= set(row.stamps):
            raise AssertionError(f"stage {row.name!r}: queue/start/end not among its stamps")
        if row.table is None and row.family != "last_mile":
            raise AssertionError(f"stage {row.name!r} needs a scenario table")


_check_table()
