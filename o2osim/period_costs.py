"""Period costs of a run: what accrues with time rather than with an order (CNY, cents).

Labour per staffed server-hour, the per-shipment freight of purchase orders, bonded
storage, counted events, the rent and fixed staff of the sites a scenario has, the
optional period lines of ``[marketing]``, and the spreading of a total in cents over
orders (largest remainder, so the cents add up). Re-exported by
:mod:`o2osim.economics`, which prices the orders; this module must not read the
orders table nor run the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .scenario import Economics, Scenario, Site
from .scenario.economics import AIRPORT
from .scenario.stages import WAREHOUSE
from .units import DAY, HOUR


def to_cents(values: np.ndarray | float) -> np.ndarray:
    """CNY as integer cents (rounded half to even, as ``np.rint``)."""
    return np.rint(np.asarray(values, dtype=float) * 100.0).astype(np.int64)


def spread(total_cents: int, count: int) -> np.ndarray:
    """Split ``total_cents`` into ``count`` integer shares that differ by at most one cent."""
    return spread_part(total_cents, count)


def spread_part(
    total_cents: int, count: int, before: int = 0, total: int | None = None
) -> np.ndarray:
    """Shares ``before`` to ``before + count`` of :func:`spread` of ``total_cents`` over
    ``total`` shares (default ``count``): one block's part of a spread over all orders."""
    total = count if total is None else total
    if total <= 0 or count <= 0:
        return np.zeros(max(count, 0), dtype=np.int64)
    base, remainder = divmod(int(total_cents), total)
    shares = np.full(count, base, dtype=np.int64)
    shares[: max(0, min(count, remainder - before))] += 1
    return shares


def has_asset(scenario: Scenario, asset: str) -> bool:
    """Whether the scenario has the asset a site stands for (warehouse, airport, depot, store)."""
    if asset == WAREHOUSE:
        return scenario.warehouse is not None
    if asset == AIRPORT:
        return scenario.airport is not None
    return asset in scenario.depots or any(store.name == asset for store in scenario.stores)


def charged_sites(scenario: Scenario) -> list[Site]:
    """The sites a run pays rent and staff for: those whose asset the scenario has."""
    return [site for site in scenario.economics.sites if has_asset(scenario, site.asset)]


def site_cost_per_day(site: Site) -> float:
    """Rent and fixed staff of a site, CNY per day."""
    staff = site.staff * site.staff_cny_per_hour * site.opening_hours_per_day
    return site.area_m2 * site.rent_cny_per_m2_day + staff


def labour_rate(economics: Economics, resource: str) -> float:
    """CNY per staffed server-hour of ``resource``: its own rate, else (``pick_DEPOT``,
    ``deliver_FLEET``) its stage's, else 0."""
    rates = economics.labour_cny_per_hour
    if resource in rates:
        return rates[resource]
    stage = resource.split("_", 1)[0]
    return rates.get(stage, 0.0) if stage in ("pick", "deliver") and "_" in resource else 0.0


def period_costs(
    scenario: Scenario,
    resource_stats: dict[str, dict[str, float]],
    inventory: pd.DataFrame,
    counters: dict[str, int],
) -> dict[str, int]:
    """Period cost lines of the counted span, in cents."""
    from .trade.firstleg import first_leg_cny, storage_cny

    econ, meta = scenario.economics, scenario.scenario
    days = (meta.horizon - meta.warmup) / DAY
    labour = sum(
        stats["mean_servers"] * stats["span_min"] / HOUR * labour_rate(econ, name)
        for name, stats in resource_stats.items()
    )
    sites = charged_sites(scenario)
    rent = sum(site.area_m2 * site.rent_cny_per_m2_day * days for site in sites)
    staff = sum(site_cost_per_day(site) * days for site in sites) - rent
    events = sum(econ.per_event_cny.get(name, 0.0) * count for name, count in counters.items())
    return {
        "labour": int(to_cents(labour)),
        "shipments": int(to_cents(first_leg_cny(scenario, inventory))),
        "storage": int(to_cents(storage_cny(scenario, inventory))),
        "events": int(to_cents(events)),
        "rent": int(to_cents(rent)),
        "site_staff": int(to_cents(staff)),
    }


def optional_costs(scenario: Scenario) -> dict[str, int]:
    """Period lines (cents) a scenario has only when it configures their feature:
    ``[marketing]``'s acquisition spend and programme costs over the counted span."""
    marketing, meta = scenario.marketing, scenario.scenario
    if marketing is None:
        return {}
    days = (meta.horizon - meta.warmup) / DAY
    return {
        "acquisition": int(to_cents(marketing.acquisition_cny_per_day() * days)),
        "programmes": int(to_cents(marketing.programmes_cny_per_day() * days)),
    }


def courier_rate(scenario: Scenario, resource: str) -> float:
    """CNY paid per delivery by the fleet with resource name ``resource``."""
    econ = scenario.economics
    return econ.fleet_cny_per_order.get(resource, econ.courier_cny_per_order)


def fleet_cost(
    scenario: Scenario, resource: str, stats: dict[str, float], deliveries: int
) -> float:
    """CNY a courier fleet cost over the counted span: its couriers' paid hours (the
    same labour line as :func:`period_costs`) plus its pay for ``deliveries``."""
    hours = stats["mean_servers"] * stats["span_min"] / HOUR
    return (
        labour_rate(scenario.economics, resource) * hours
        + courier_rate(scenario, resource) * deliveries
    )


def stock_unit_days(inventory: pd.DataFrame, start: float, end: float) -> float:
    """Integral of total units on hand over [start, end], in unit-days."""
    if inventory.empty:
        return 0.0
    times = inventory["time"].to_numpy()
    level = np.cumsum(inventory["on_hand_change"].to_numpy())  # ledger is in time order
    # Step function: after event i the level is level[i] until times[i + 1].
    edges = np.clip(np.append(times, end), start, end)
    return float(np.sum(level * np.diff(edges)) / DAY)
