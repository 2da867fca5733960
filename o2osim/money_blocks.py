"""A large run's money, priced a block of orders at a time from its orders file.

:func:`o2osim.economics.order_money` holds, for every counted order at once, the
columns it reads and a dozen per-order arrays: for a run whose orders are in a file
(:class:`o2osim.order_store.OrderStore`) that was the run's peak memory. Here the
counted orders are read and priced :data:`BLOCK_ORDERS` at a time by the same
function, and only the per-order results are kept. The period costs are spread over
all the completed orders as before (each block takes its own part of one spread, so
the cents add up to the same totals, order by order). Scenarios with features whose
money looks across orders in a way a block's place does not carry (:data:`PRICED_WHOLE`:
an export market; SMEs, whose storage fee is spread over each seller's own completed
orders) or a section :mod:`o2osim.settle` does not know are priced whole
(tests/behaviour/test_spill_bundled.py prices every bundled scenario in small blocks
against the whole). This module must not run the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .economics import Money, order_money, run_period_costs
from .scenario import Scenario
from .settle import unknown_sections
from .tables import COMPLETED, RunTables
from .units import DAY

#: Orders read and priced at a time (about 60 MB of columns).
BLOCK_ORDERS = 262_144
#: Scenario sections whose money is priced over every order at once (see above).
PRICED_WHOLE = ("trade", "sellers")
#: Columns the money never reads (home coordinates).
UNREAD = ("x_km", "y_km")


def run_money(scenario: Scenario, run: RunTables, block: int | None = None) -> Money:
    """The money of ``run`` (as :func:`~o2osim.economics.order_money`), by blocks (default
    :data:`BLOCK_ORDERS` orders) when its orders are in a file."""
    block = BLOCK_ORDERS if block is None else block
    store = run.store
    whole = any(getattr(scenario, name) is not None for name in PRICED_WHOLE)
    if store is None or whole or unknown_sections(scenario):
        return order_money(scenario, run)
    counted = store.column("after_warmup").astype(bool)
    outcome = store.column("outcome")
    completed = counted & np.isin(outcome, COMPLETED)
    total = int(completed.sum())
    columns = [c for c in store.names if c not in UNREAD]
    parts, before, unallocated = [], 0, 0
    period = run_period_costs(scenario, run)  # once: each block takes its part
    for start in range(0, len(store), block):
        rows = np.zeros(len(store), dtype=bool)
        rows[start : start + block] = counted[start : start + block]
        if not rows.any():
            continue
        priced = order_money(
            scenario, run, store.read(columns, rows, sku_lists=False), (before, total), period
        )
        before += int(completed[start : start + block].sum())
        parts.append(priced.orders)
        unallocated = priced.unallocated_cents
    if not parts:
        return order_money(scenario, run)
    meta = scenario.scenario
    table = pd.concat(parts, ignore_index=True)
    return Money(table, period, unallocated, (meta.horizon - meta.warmup) / DAY)
