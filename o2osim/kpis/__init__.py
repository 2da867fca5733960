"""KPIs of one run, as one tidy table: group, name, kpi, value, unit.

KPIs are a function of the run's tables (:class:`o2osim.tables.RunTables`) and
the scenario, nothing else, so ``o2osim report RUN_DIR`` computes the same
table from a run folder alone. Only orders placed after the warm-up count
(stock KPIs: movements after it). Nothing here runs the model or writes files.

One module per KPI family, each registered under its group with
:func:`~o2osim.kpis.registry.register` and called by :func:`compute_kpis` in
:data:`~o2osim.kpis.registry.ORDER`:

- ``overall``, ``channel``, ``segment``: orders (:mod:`.orders`), with money
  (:mod:`.money`) for the first two;
- ``store``: visitors of each front store (:mod:`.stores`);
- ``stock``: the bonded pool and its replenishment (:mod:`.stock`);
- ``choice``: each segment's channel shares (:mod:`.choice`);
- ``resource``: every queueing resource a channel uses, fleets included
  (:mod:`.resources`);
- ``site``: each site's fixed cost and break-even (:mod:`.money`);
- ``airport``: flights, fates and counters (:mod:`.airport`);
- ``trade``: an export run's landed cost, border charges and stock abroad (:mod:`.trade`);
- ``service``: each service product's bookings, denials and money (:mod:`.services`);
- ``marketing``: acquired customers, CAC, repeat purchase, LTV per campaign (:mod:`.marketing`);
- ``presale``, ``instant``: presale batches and membership, the 30-minute radius store
  (:mod:`.formats`);
- ``seller``: each seller's orders, fill rate, lead time and money (:mod:`.sellers`);
- ``zone``: each delivery zone's deliveries, courier wait, on-time rate, utilisation
  (:mod:`.zones`).
"""

from __future__ import annotations

# The family modules register themselves on import; registry.ORDER fixes the row order.
from . import (  # noqa: F401
    airport,
    choice,
    formats,
    marketing,
    money,
    orders,
    resources,
    sellers,
    services,
    sites,
    stock,
    stores,
    trade,
    zones,
)
from .airport import counted_days
from .registry import FAMILIES, ORDER, KpiInput, Rows, compute_kpis, kpi, register
from .resources import wait_stamps
from .survival import VISIT_ONLY, left_the_store

__all__ = [
    "FAMILIES",
    "ORDER",
    "VISIT_ONLY",
    "KpiInput",
    "Rows",
    "compute_kpis",
    "counted_days",
    "kpi",
    "left_the_store",
    "register",
    "wait_stamps",
]
