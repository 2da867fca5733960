"""Per-order logistics lines set by each channel's route, in cents (see :mod:`o2osim.economics`).

International freight (per kg at each SKU's restocking mode, or one 9610 parcel per
order), customs and port fees, packaging, the rider's pay, domestic postage and the
return parcel; also each SKU's restocking mode and its tariff. Re-exported by
:mod:`o2osim.economics`; this module must not price anything but these lines, nor
run the model.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .period_costs import courier_rate
from .period_costs import to_cents as _cents
from .scenario import Scenario, ScenarioError, fleet_resource
from .scenario.economics import Tariff
from .scenario.stages import DELIVERING, STAGE_END
from .scenario.warehouse import class_blocks
from .sku_units import catalogues as _catalogues
from .sku_units import sku_weights
from .tables import COMPLETED

#: Final stages handed to a domestic courier as a parcel (paid postage).
POSTED = ("courier", "regional")


def label_in(column: pd.Series, names: tuple[str, ...] | list[str]) -> np.ndarray:
    """Where a label column's label is one of ``names``, as ``np.isin(column.astype(str),
    names)``; a categorical compares its integer codes, not a string per row."""
    values = column.array
    if not isinstance(values, pd.Categorical):
        return np.isin(column.astype(str).to_numpy(), list(names))
    wanted = [i for i, label in enumerate(values.categories) if str(label) in names]
    return np.isin(values.codes, wanted)


def label_strings(column: pd.Series) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """A label column's labels as strings, as ``column.to_numpy()`` gives them to a new
    DataFrame; a categorical takes its few category strings by code (a tenth of the time
    of one string object per row)."""
    values = column.array
    if not isinstance(values, pd.Categorical):
        return column.to_numpy()
    return pd.array(values.categories.astype("str")).take(values.codes, allow_fill=True)


def sku_modes(scenario: Scenario) -> list[str]:
    """The freight mode that restocks each SKU id: its replenishment class's ``mode``,
    else ``economics.stock_freight_mode``."""
    default, wh = scenario.economics.stock_freight_mode, scenario.warehouse
    skus = sum(cat.skus for cat in _catalogues(scenario))
    if wh is None:
        return [default] * skus
    rep = wh.replenishment
    specs = [*rep.classes, rep]
    blocks = class_blocks(skus, [c.share for c in rep.classes])
    return [spec.mode or default for spec, block in zip(specs, blocks, strict=True) for _ in block]


def freight_problem(scenario: Scenario) -> str | None:
    """Why the freight cannot be priced (a mode without a tariff), or None."""
    wh, freight = scenario.warehouse, scenario.economics.freight
    if wh is None:
        return None
    rep = wh.replenishment
    for where, spec in [*((f"classes.{c.name}", c) for c in rep.classes), ("", rep)]:
        if spec.mode is not None and spec.mode not in freight:
            key = ".".join(filter(None, ("warehouse.replenishment", where, "mode")))
            return (
                f"{key} = {spec.mode!r} has no tariff in economics.freight "
                f"(has: {', '.join(freight) or 'none'})"
            )
    return None


def tariffs(scenario: Scenario) -> list[Tariff]:
    problem = freight_problem(scenario)
    if problem is not None:
        raise ScenarioError(problem)
    freight = scenario.economics.freight
    return [freight[mode] for mode in sku_modes(scenario)]


def purchase_order_freight(scenario: Scenario, inventory: pd.DataFrame) -> float:
    """CNY of the per-shipment freight of the purchase orders placed after the warm-up
    (one purchase order is one shipment of its SKU's mode)."""
    if inventory.empty:
        return 0.0
    orders = inventory[
        (inventory["kind"].astype(str) == "purchase_order")
        & (inventory["time"] >= scenario.scenario.warmup)
    ]
    per_shipment = np.array([t.cny_per_shipment for t in tariffs(scenario)])
    return float(per_shipment[orders["sku"].to_numpy()].sum())


def _sku_lines(counted: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int]:
    """Every line's SKU id, the row of its order and the number of orders (flattened once
    for every :func:`_per_order`)."""
    skus = counted["skus"].to_numpy()
    lines = (
        counted["lines"].to_numpy()  # len(skus) of every order, as the orders table has it
        if "lines" in counted
        else np.fromiter(map(len, skus), dtype=np.int64, count=len(skus))
    )
    flat = np.fromiter(itertools.chain.from_iterable(skus), dtype=np.int64, count=lines.sum())
    return flat, np.repeat(np.arange(len(skus)), lines), len(skus)


def _per_order(sku_lines: tuple[np.ndarray, np.ndarray, int], per_unit: np.ndarray) -> np.ndarray:
    """Sum of ``per_unit[sku]`` over each order's lines (``sku_lines``: :func:`_sku_lines`)."""
    flat, owner, orders = sku_lines
    return np.bincount(owner, weights=per_unit[flat], minlength=orders)


def _parcel(tariff: Tariff, weight: np.ndarray) -> np.ndarray:
    """Cents of one parcel of each weight (kg) at ``tariff``."""
    return _cents(tariff.cny_per_shipment + tariff.cny_per_kg * weight)


def logistics_lines(scenario: Scenario, counted: pd.DataFrame) -> dict[str, np.ndarray]:
    """The lines set by each channel's route, in cents: freight, fees, packaging, the
    rider, postage and return shipping (before the returns handling)."""
    econ, n = scenario.economics, len(counted)
    channel, outcome = counted["channel"], counted["outcome"]
    completed = label_in(outcome, COMPLETED)
    returned = label_in(outcome, ("returned",))
    unit_kg = sku_weights(scenario)
    sku_lines = _sku_lines(counted)
    weight = _per_order(sku_lines, unit_kg)
    rates = np.array([t.cny_per_kg for t in tariffs(scenario)]) * unit_kg
    stock_freight = _cents(_per_order(sku_lines, rates))
    post = econ.freight[econ.parcel_freight_mode]

    def stamped(name: str) -> np.ndarray:
        return counted[name].notna().to_numpy()

    out = {k: np.zeros(n, dtype=np.int64) for k in ("freight", "packaging", "courier")}
    out |= {k: np.zeros(n, dtype=np.int64) for k in ("postage", "return_shipping")}
    out["fees"] = np.where(stamped("declared"), int(_cents(econ.customs_cny_per_declaration)), 0)
    out["fees"] += np.where(stamped("port_declared"), int(_cents(econ.port_cny_per_parcel)), 0)
    sent, packed, delivered = stamped("dispatched"), stamped("packed"), stamped("delivered")
    for name, spec in scenario.channels.items():
        rows = label_in(channel, (name,))
        if not rows.any():
            continue
        route, last = spec.route, spec.route[-1]
        parcel = "seller_ship" in route  # 9610: the seller ships one parcel per order
        shipped = stamped("port_arrived") & rows if parcel else np.zeros(n, dtype=bool)
        out["freight"] += np.where(shipped, _parcel(post, weight), 0)
        if not parcel:
            out["freight"] += np.where(rows & completed, stock_freight, 0)
        rider = "deliver" in route
        wrapped = packed | shipped | (sent & rider)
        out["packaging"] += np.where(rows & wrapped, int(_cents(econ.packaging_cny_per_order)), 0)
        pay = int(_cents(courier_rate(scenario, fleet_resource(spec.fleet))))
        out["courier"] += np.where(rows & delivered & rider, pay, 0)
        if last in POSTED and len(route) > 1:  # handed to the courier: the stage before ended
            handed = rows & stamped(STAGE_END[route[-2]])
            out["postage"] += np.where(handed, _parcel(econ.postage, weight), 0)
        if last in DELIVERING:  # a return of goods sent to the door comes back as a parcel
            back = _parcel(post if parcel else econ.postage, weight)
            out["return_shipping"] += np.where(rows & returned, back, 0)
    out["weight"] = weight  # kg, not cents
    return out
