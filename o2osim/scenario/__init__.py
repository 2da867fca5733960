"""The typed, frozen scenario: every parameter of a run, loaded from TOML.

This package validates and resolves scenario files and applies dotted ``--set``
overrides. It turns every problem into one :class:`ScenarioError` line naming the
file, the key path, the value and what is allowed. It must not build or run the
model, nor import the runtime: policy names come from :mod:`o2osim.policies`.

Units: durations are minutes (written with units in the file), money is CNY,
distances are kilometres, rates are per day unless a key says otherwise.

Modules: :mod:`~.stages` (the stage table), :mod:`~.types` (shared field types),
the schema per domain (:mod:`~.customers`, :mod:`~.catalogue`, :mod:`~.warehouse`,
:mod:`~.lastmile`, :mod:`~.channels`, :mod:`~.airport`, :mod:`~.economics`),
:mod:`~.root` (:class:`Scenario`), :mod:`~.checks` (cross-checks), :mod:`~.io`,
:mod:`~.compose` (a scenario as a market file plus a network file),
:mod:`~.overrides` (the ``--set`` language), :mod:`~.run` (typed run parameters),
:mod:`~.errors` and :mod:`~.messages`.
Everything other modules use is importable from ``o2osim.scenario`` itself.
"""

from .airport import LOADINGS, Airport, Flight, Flights, LineHaul
from .catalogue import Catalogue, Category, Zipf
from .channels import Channel, Offer, Store
from .customers import (
    CalendarEvent,
    Customers,
    Journeys,
    Logit,
    Memory,
    Patience,
    PeakDay,
    Segment,
    StockoutResponse,
)
from .economics import DeliveryFee, Economics, Recorder, Site
from .errors import ABSENT, KeyPathError, ScenarioError
from .io import (
    compose_scenario,
    dump_scenario,
    load_scenario,
    read_toml,
    scenario_from_dict,
    scenario_hash,
    scenario_to_dict,
    with_overrides,
)
from .lastmile import VEHICLES, City, Couriers, Depot, NextDay, Shift, Slots, Zones
from .messages import describe_validation_error
from .overrides import apply_overrides, check_depth, override_label, parse_override_value
from .parts import bundled_parts, part_path, scale_demand
from .root import Meta, Scenario
from .run import RunParameters, with_seed
from .stages import (
    AIRPORT_STAGES,
    AIRPORT_STAMPS,
    COURIERS,
    DELIVERING,
    ORDER_STAMPS,
    STAGE_END,
    STAGE_ROWS,
    STAGE_TABLE,
    STAGES,
    STAMPS,
    TERMINAL_STAGES,
    WAIT_STAMPS,
    WAREHOUSE,
    WAREHOUSE_STAGES,
    Stage,
    depot_resource,
    fleet_resource,
)
from .types import LAYOUTS, Duration, NumberDist, TimeDist, TimeOfDay
from .warehouse import (
    ALLOCATIONS,
    REPLENISHMENT_POLICIES,
    Allocation,
    Customs,
    DirectMail,
    PolicyLevels,
    RegionalWaves,
    Replenishment,
    SkuClass,
    Warehouse,
)

__all__ = [
    "ABSENT",
    "AIRPORT_STAGES",
    "AIRPORT_STAMPS",
    "ALLOCATIONS",
    "COURIERS",
    "DELIVERING",
    "LAYOUTS",
    "LOADINGS",
    "ORDER_STAMPS",
    "REPLENISHMENT_POLICIES",
    "STAGES",
    "STAGE_END",
    "STAGE_ROWS",
    "STAGE_TABLE",
    "STAMPS",
    "TERMINAL_STAGES",
    "VEHICLES",
    "WAIT_STAMPS",
    "WAREHOUSE",
    "WAREHOUSE_STAGES",
    "Airport",
    "Allocation",
    "CalendarEvent",
    "Catalogue",
    "Category",
    "Channel",
    "City",
    "Couriers",
    "Customers",
    "Customs",
    "DeliveryFee",
    "Depot",
    "DirectMail",
    "Duration",
    "Economics",
    "Flight",
    "Flights",
    "Journeys",
    "KeyPathError",
    "LineHaul",
    "Logit",
    "Memory",
    "Meta",
    "NextDay",
    "NumberDist",
    "Offer",
    "Patience",
    "PeakDay",
    "PolicyLevels",
    "Recorder",
    "RegionalWaves",
    "Replenishment",
    "RunParameters",
    "Scenario",
    "ScenarioError",
    "Segment",
    "Shift",
    "Site",
    "SkuClass",
    "Slots",
    "Stage",
    "StockoutResponse",
    "Store",
    "TimeDist",
    "TimeOfDay",
    "Warehouse",
    "Zipf",
    "Zones",
    "apply_overrides",
    "bundled_parts",
    "check_depth",
    "compose_scenario",
    "depot_resource",
    "describe_validation_error",
    "dump_scenario",
    "fleet_resource",
    "load_scenario",
    "override_label",
    "parse_override_value",
    "part_path",
    "read_toml",
    "scale_demand",
    "scenario_from_dict",
    "scenario_hash",
    "scenario_to_dict",
    "with_overrides",
    "with_seed",
]
