"""The bulk first leg and the storage abroad priced by volume (m3), from the stock ledger.

A *consignment* is the purchase orders placed at one instant for one freight mode (a
periodic review orders every SKU at once, so one review's orders sail together); its
volume is the units ordered times each SKU's ``volume_m3``. A mode whose tariff has a
``container`` pays, per consignment, ceil(volume / capacity) containers (FCL) or the
volume times the per-m3 rate (LCL); the realised fill is the volume over the capacity
of the containers paid. Storage per m3 integrates the m3 on hand over the counted span.
Both are period costs (:mod:`o2osim.economics` spreads them over the completed
orders). Money in CNY, time in minutes; this module only reads tables and must not run
the model.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..economics import purchase_order_freight, sku_modes, stock_unit_days
from ..scenario import Scenario
from ..scenario.economics import Container
from ..sku_units import sku_volumes

#: Containers are counted up from the volume less this slack (m3 / capacity), so that
#: a load of exactly n containers is not rounded up by floating-point noise.
_SLACK = 1e-9
#: The columns of :func:`consignments`.
CONSIGNMENT_COLUMNS = (
    *("time", "mode", "units", "volume_m3", "containers", "capacity_m3", "fill", "cost_cny"),
)


def containers_for(volume_m3: float, container: Container) -> int:
    """Whole containers a consignment of ``volume_m3`` fills (0 for an empty one)."""
    if volume_m3 <= 0:
        return 0
    return max(1, math.ceil(volume_m3 / container.capacity_m3 - _SLACK))


def consignment_cost(volume_m3: float, container: Container) -> float:
    """CNY of one consignment: its containers (FCL) or its volume at the LCL rate."""
    if container.lcl:
        return volume_m3 * container.cny_per_m3
    return containers_for(volume_m3, container) * container.cny_per_container


def consignments(scenario: Scenario, inventory: pd.DataFrame) -> pd.DataFrame:
    """The consignments placed in the counted span by a mode with a container tariff:
    ``time`` (min), ``mode``, ``units``, ``volume_m3``, ``containers``, ``capacity_m3``
    (of the containers paid; 0 for LCL), ``fill`` (volume / capacity; NaN for LCL) and
    ``cost_cny``."""
    freight = scenario.economics.freight
    boxed = {mode for mode, tariff in freight.items() if tariff.container is not None}
    if inventory.empty or not boxed:
        return pd.DataFrame(columns=list(CONSIGNMENT_COLUMNS))
    placed = inventory[
        (inventory["kind"].astype(str) == "purchase_order")
        & (inventory["time"] >= scenario.scenario.warmup)
    ]
    sku = placed["sku"].to_numpy()
    frame = pd.DataFrame(
        {
            "time": placed["time"].to_numpy(),
            "mode": np.asarray(sku_modes(scenario), dtype=object)[sku],
            "units": placed["on_order_change"].to_numpy(),
            "volume_m3": placed["on_order_change"].to_numpy() * sku_volumes(scenario)[sku],
        }
    )
    frame = frame[frame["mode"].isin(boxed)]
    grouped = frame.groupby(["time", "mode"], sort=True, as_index=False).sum()
    rows = []
    for time, mode, units, volume in grouped.itertuples(index=False):
        box = freight[mode].container
        if box is None:  # not reached: only boxed modes are left
            continue
        count = 0 if box.lcl else containers_for(volume, box)
        space = count * box.capacity_m3
        fill = volume / space if count else float("nan")
        rows.append((time, mode, units, volume, count, space, fill, consignment_cost(volume, box)))
    return pd.DataFrame(rows, columns=list(CONSIGNMENT_COLUMNS))


def container_freight(scenario: Scenario, inventory: pd.DataFrame) -> float:
    """CNY of the containers (or LCL volume) of the consignments of the counted span."""
    if not any(t.container is not None for t in scenario.economics.freight.values()):
        return 0.0
    return float(consignments(scenario, inventory)["cost_cny"].sum())


def cif_container_cents(
    scenario: Scenario, counted: pd.DataFrame, inventory: pd.DataFrame
) -> np.ndarray:
    """Each counted order's share of the containers for a CIF customs value, cents: the
    m3 of its units restocked by a container-priced mode at the counted span's mean cost
    per m3 shipped (0 when no consignment was counted)."""
    shipped = consignments(scenario, inventory)
    volume = float(shipped["volume_m3"].sum()) if len(shipped) else 0.0
    if volume <= 0:
        return np.zeros(len(counted), dtype=np.int64)
    boxed = {m for m, t in scenario.economics.freight.items() if t.container is not None}
    per_m3 = float(shipped["cost_cny"].sum()) / volume
    modes = sku_modes(scenario)
    unit_m3 = sku_volumes(scenario) * np.array([m in boxed for m in modes]) * per_m3
    per_order = [sum(unit_m3[s] for s in skus) for skus in counted["skus"].to_numpy()]
    return np.rint(np.asarray(per_order, dtype=float) * 100.0).astype(np.int64)


def first_leg_cny(scenario: Scenario, inventory: pd.DataFrame) -> float:
    """CNY of the bulk first leg paid in the counted span: each purchase order's
    per-shipment freight plus its consignment's containers (or LCL volume)."""
    return purchase_order_freight(scenario, inventory) + container_freight(scenario, inventory)


def stock_m3_days(inventory: pd.DataFrame, volumes: np.ndarray, start: float, end: float) -> float:
    """Integral of the m3 on hand over [start, end] (minutes), in m3-days: the unit-day
    integral of a ledger whose every change weighs its SKU's unit volume."""
    if inventory.empty:
        return 0.0
    weighed = inventory["on_hand_change"].to_numpy() * volumes[inventory["sku"].to_numpy()]
    return stock_unit_days(inventory.assign(on_hand_change=weighed), start, end)


def storage_cny(scenario: Scenario, inventory: pd.DataFrame) -> float:
    """CNY of storage over the counted span: the unit-days on hand at
    ``storage_cny_per_unit_day`` plus the m3-days at ``storage_cny_per_m3_day``."""
    econ, meta = scenario.economics, scenario.scenario
    unit_days = stock_unit_days(inventory, meta.warmup, meta.horizon)
    storage = unit_days * econ.storage_cny_per_unit_day
    if econ.storage_cny_per_m3_day > 0:  # no volumes needed (and no float noise) otherwise
        m3_days = stock_m3_days(inventory, sku_volumes(scenario), meta.warmup, meta.horizon)
        storage += m3_days * econ.storage_cny_per_m3_day
    return storage
